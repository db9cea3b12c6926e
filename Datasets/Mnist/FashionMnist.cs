using Microsoft.ML;

namespace MLToolkit.Datasets.Mnist;

/// <summary>
/// Fashion-MNIST (Zalando Research, MIT licence): 60,000 training and 10,000 test images of
/// clothing, 1×28×28, ten classes, in the same IDX layout as MNIST.
/// </summary>
public static class FashionMnist
{
    /// <summary>Class names by label.</summary>
    public static readonly IReadOnlyList<string> ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads Fashion-MNIST from the four IDX files (gzip or raw) in <paramref name="directory"/>.</summary>
    public static (IDataView Train, IDataView Test) Load(MLContext ml, string directory) => IdxDataset.Load(ml, directory);
}
