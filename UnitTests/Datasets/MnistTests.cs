using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Images;
using MLToolkit.Datasets.Mnist;

namespace MLToolkit.UnitTests.Datasets;

public class MnistTests
{
    [Fact]
    public void Vendored_mnist_loads_with_shape_and_labels()
    {
        var ml = new MLContext();
        var (train, test) = Mnist.Load(ml);
        Assert.Equal(60000, train.GetRowCount());
        Assert.Equal(10000, test.GetRowCount());

        var image = train.Schema[ImageColumns.Image];
        Assert.Equal(new ImageShape(1, 28, 28), ImageShape.FromColumn(image));
        Assert.Equal(784, ((VectorDataViewType)image.Type).Size);

        var labels = train.GetColumn<uint>(ImageColumns.Label).Take(10).ToArray();
        Assert.Equal(new uint[] { 5, 0, 4, 1, 9, 2, 1, 3, 1, 4 }, labels);
        var first = train.GetColumn<float[]>(ImageColumns.Image).First();
        Assert.InRange(first.Max(), 0.99f, 1f);
        Assert.Equal(0f, first.Min());
    }

    [Fact]
    public void Damaged_copy_fails_the_checksum()
    {
        var dir = TestData.TempDirectory();
        foreach (var file in Mnist.Sha256.Keys)
            File.Copy(Path.Combine(Mnist.VendoredDirectory, file), Path.Combine(dir, file));
        var victim = Path.Combine(dir, "t10k-labels-idx1-ubyte.gz");
        var bytes = File.ReadAllBytes(victim);
        bytes[^5] ^= 0xFF;
        File.WriteAllBytes(victim, bytes);
        var error = Assert.Throws<InvalidDataException>(() => Mnist.VerifyChecksums(dir));
        Assert.Contains(victim, error.Message);
    }

    [Fact]
    public void Fashion_mnist_reads_from_a_folder_in_the_same_layout()
    {
        // The shared datasets folder is beside the repository on developer and CI machines.
        var dir = FindShared("fashion-mnist");
        Assert.True(dir is not null, "Fashion-MNIST was not found in a 'shared/datasets' folder above the test assembly.");
        var (train, test) = FashionMnist.Load(new MLContext(), dir!);
        Assert.Equal(60000, train.GetRowCount());
        Assert.Equal(10000, test.GetRowCount());
    }

    internal static string? FindShared(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "datasets", name);
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
