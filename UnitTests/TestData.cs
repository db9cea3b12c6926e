using Microsoft.ML;
using MLToolkit.Datasets.Mnist;

namespace MLToolkit.UnitTests;

/// <summary>Small slices of the real, vendored MNIST, loaded once per test run.</summary>
public static class TestData
{
    static readonly Lazy<(IDataView Train, IDataView Test)> Full = new(() => Mnist.Load(new MLContext(seed: 0)));

    /// <summary>The first <paramref name="rows"/> training images.</summary>
    public static IDataView Train(MLContext ml, int rows) => ml.Data.TakeRows(Full.Value.Train, rows);

    /// <summary>The first <paramref name="rows"/> test images.</summary>
    public static IDataView Test(MLContext ml, int rows) => ml.Data.TakeRows(Full.Value.Test, rows);

    /// <summary>A fresh temporary folder, deleted by the caller or left for the OS.</summary>
    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "mltoolkit-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
