using MLToolkit.Trainers.Architectures;

namespace MLToolkit;

/// <summary>Factory methods for the built-in architectures.</summary>
public static class Architectures
{
    /// <summary>
    /// The classic MNIST CNN: three blocks of Conv 3×3 (32, 64, 128 filters) + ReLU + 2×2 max
    /// pooling, then Dense 256 + ReLU, Dropout 0.4, Dense to the classes.
    /// </summary>
    public static MnistCnn MnistClassic() => new([32, 64, 128], Dense: 256, Dropout: 0.4, BatchNorm: false);

    /// <summary>
    /// The network of the "best CNN on MNIST" recipe: Conv-BN-ReLU blocks of 32, 64 and 128 filters
    /// with 2×2 max pooling, Dense 256-BN-ReLU, Dropout 0.4, Dense to the classes.
    /// </summary>
    public static MnistCnn MnistBestCnn() => new([32, 64, 128], Dense: 256, Dropout: 0.4, BatchNorm: true);
}
