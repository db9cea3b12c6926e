using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML;
using MLToolkit.Datasets.Idx;
using MLToolkit.Datasets.Mnist;

namespace MLToolkit.UnitTests.Datasets;

public class IdxReaderTests
{
    static byte[] Idx(int magic, int[] dims, int dataBytes)
    {
        var bytes = new byte[4 + 4 * dims.Length + dataBytes];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        for (int i = 0; i < dataBytes; i++) bytes[4 + 4 * dims.Length + i] = (byte)(i % 251);
        return bytes;
    }

    static string Write(string directory, string name, byte[] bytes, bool gzip)
    {
        var path = Path.Combine(directory, gzip ? name + ".gz" : name);
        if (!gzip) { File.WriteAllBytes(path, bytes); return path; }
        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(bytes);
        return path;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Reads_images_gzip_or_raw(bool gzip)
    {
        var dir = TestData.TempDirectory();
        var path = Write(dir, "x-images-idx3-ubyte", Idx(IdxReader.ImagesMagic, [3, 2, 4], 24), gzip);
        var images = IdxReader.ReadImages(path);
        Assert.Equal((3, 2, 4), (images.Count, images.Rows, images.Columns));
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (byte)i), images.Pixels);
    }

    [Fact]
    public void Missing_file_names_the_path()
    {
        var path = Path.Combine(TestData.TempDirectory(), "nope-idx3-ubyte.gz");
        var error = Assert.Throws<FileNotFoundException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Bad_magic_number_is_reported()
    {
        var path = Write(TestData.TempDirectory(), "labels", Idx(IdxReader.LabelsMagic, [100], 100), gzip: true);
        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains("magic number 0x00000801", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Truncated_data_is_reported()
    {
        var path = Write(TestData.TempDirectory(), "short", Idx(IdxReader.ImagesMagic, [10, 28, 28], 784 * 3), gzip: false);
        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains("truncated", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Truncated_gzip_stream_is_reported()
    {
        var dir = TestData.TempDirectory();
        var full = Write(dir, "full", Idx(IdxReader.ImagesMagic, [50, 28, 28], 784 * 50), gzip: true);
        var bytes = File.ReadAllBytes(full);
        var cut = Path.Combine(dir, "cut.gz");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(cut));
        Assert.Contains(cut, error.Message);
    }

    [Fact]
    public void Image_and_label_count_mismatch_is_reported()
    {
        var dir = TestData.TempDirectory();
        Write(dir, "train-images-idx3-ubyte", Idx(IdxReader.ImagesMagic, [4, 28, 28], 4 * 784), gzip: true);
        Write(dir, "train-labels-idx1-ubyte", Idx(IdxReader.LabelsMagic, [3], 3), gzip: true);
        var error = Assert.Throws<InvalidDataException>(() => IdxDataset.LoadSplit(new MLContext(), dir, "train"));
        Assert.Contains("4 images", error.Message);
        Assert.Contains("3 labels", error.Message);
    }

    [Fact]
    public void Missing_dataset_folder_is_reported()
    {
        var dir = Path.Combine(TestData.TempDirectory(), "absent");
        var error = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(new MLContext(), dir));
        Assert.Contains(dir, error.Message);
    }
}
