using Microsoft.ML;
using MLToolkit.Datasets.Cifar;

namespace MLToolkit.UnitTests.Datasets;

/// <summary>The CIFAR-10 binary reader, on small files written here in the official format.</summary>
public class Cifar10Tests
{
    /// <summary>Writes <paramref name="count"/> records: label i % 10, and pixel bytes that encode image, channel and position.</summary>
    static void WriteBatch(string path, int count, int first)
    {
        using var file = File.Create(path);
        for (int i = 0; i < count; i++)
        {
            file.WriteByte((byte)((first + i) % 10));
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < 1024; p++) file.WriteByte((byte)((first + i + 40 * c + p) % 256));
        }
    }

    static string WriteDataset()
    {
        var root = TestData.TempDirectory();
        var folder = Directory.CreateDirectory(Path.Combine(root, "cifar-10-batches-bin")).FullName;
        for (int b = 0; b < 5; b++) WriteBatch(Path.Combine(folder, Cifar10.TrainFiles[b]), 4, 4 * b);
        WriteBatch(Path.Combine(folder, Cifar10.TestFile), 3, 100);
        return root;
    }

    [Fact]
    public void Reads_train_and_test_batches_channel_first_with_labels()
    {
        var ml = new MLContext();
        var (train, test) = Cifar10.Load(ml, WriteDataset());
        Assert.Equal(20, train.GetRowCount() ?? ml.Data.CreateEnumerable<Row>(train, false).Count());
        var rows = ml.Data.CreateEnumerable<Row>(train, false).ToArray();
        Assert.Equal(20, rows.Length);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (uint)(i % 10)), rows.Select(r => r.Label));
        // Image 7, green plane (c = 1), pixel 5 → (7 + 40 + 5) / 255.
        Assert.Equal(3 * 32 * 32, rows[7].Image.Length);
        Assert.Equal((7 + 40 + 5) / 255f, rows[7].Image[1024 + 5], 6);
        Assert.Equal(3, ml.Data.CreateEnumerable<Row>(test, false).Count());
        var dims = ((Microsoft.ML.Data.VectorDataViewType)train.Schema["Image"].Type).Dimensions;
        Assert.Equal([3, 32, 32], dims.ToArray());
    }

    [Fact]
    public void Damaged_or_missing_files_are_named()
    {
        var root = WriteDataset();
        var folder = Path.Combine(root, "cifar-10-batches-bin");
        File.Delete(Path.Combine(folder, "data_batch_3.bin"));
        var missing = Assert.Throws<FileNotFoundException>(() => Cifar10.Load(new MLContext(), root));
        Assert.Contains("data_batch_3.bin", missing.Message);

        WriteBatch(Path.Combine(folder, "data_batch_3.bin"), 2, 0);
        File.AppendAllText(Path.Combine(folder, "data_batch_3.bin"), "x");
        var truncated = Assert.Throws<InvalidDataException>(() => Cifar10.Load(new MLContext(), root));
        Assert.Contains("data_batch_3.bin", truncated.Message);

        Assert.Throws<DirectoryNotFoundException>(() => Cifar10.Load(new MLContext(), Path.Combine(root, "nowhere")));
    }

    sealed class Row
    {
        public float[] Image { get; set; } = [];
        public uint Label { get; set; }
    }
}
