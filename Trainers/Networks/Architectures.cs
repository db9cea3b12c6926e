using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Networks.Zoo;
using MLToolkit.Trainers.NetworkLayers;

namespace MLToolkit;

/// <summary>
/// The architecture zoo and your own networks, for <see cref="CnnOptions.Architecture"/>. Every
/// design adapts to the input size and channels it is trained on and to the number of classes.
/// For full control, implement <see cref="IArchitecture"/> and return any TorchSharp module.
/// </summary>
public static class Architectures
{
    /// <summary>The classic MNIST CNN: Conv-ReLU-Pool blocks of 32, 64 and 128 filters, Dense 256, dropout 0.4.</summary>
    public static MnistCnn MnistClassic() => new([32, 64, 128], Dense: 256, Dropout: 0.4, BatchNorm: false);

    /// <summary>The "best CNN on MNIST" recipe's network: Conv-BN-ReLU-Pool blocks of 32, 64 and 128 filters, Dense-BN-ReLU 256, dropout 0.4.</summary>
    public static MnistCnn MnistBestCnn() => new([32, 64, 128], Dense: 256, Dropout: 0.4, BatchNorm: true);

    /// <summary>LeNet-5.</summary>
    public static LeNet5 LeNet5() => new();

    /// <summary>AlexNet (torchvision's single-tower layout, with local response normalization).</summary>
    public static AlexNet AlexNet() => new();

    /// <summary>ZFNet.</summary>
    public static ZfNet ZfNet() => new();

    /// <summary>VGG-11, 13, 16 or 19, optionally with batch normalization.</summary>
    public static Vgg Vgg(int depth = 16, bool batchNorm = false) => new(depth, batchNorm);

    /// <summary>GoogLeNet (Inception v1), with auxiliary classifiers while training unless turned off.</summary>
    public static GoogLeNet GoogLeNet(bool auxiliaryClassifiers = true) => new(auxiliaryClassifiers);

    /// <summary>ResNet: 18, 34, 50, 101, 152 (ImageNet layout) or 20, 32, 44, 56, 110 (CIFAR layout).</summary>
    public static IArchitecture ResNet(int depth = 18) =>
        depth is 18 or 34 or 50 or 101 or 152 ? new ResNet(depth) : new CifarResNet(depth);

    /// <summary>DenseNet-121.</summary>
    public static DenseNet DenseNet121() => DenseNet.DenseNet121();

    /// <summary>DenseNet-BC for CIFAR-sized inputs (k = 12, depth 100 by default).</summary>
    public static DenseNet DenseNetBc(int depth = 100, int growthRate = 12) => DenseNet.Bc(depth, growthRate);

    /// <summary>A small dual path network.</summary>
    public static Dpn Dpn(int blocksPerStage = 2) => new(blocksPerStage);

    /// <summary>Your own network as a list of layers from <see cref="Layers"/>, ending in <see cref="Layers.Output"/>.</summary>
    public static SequentialArchitecture Sequential(string title, params Layer[] layers) => new(title, layers);

    /// <summary>The zoo design registered as <paramref name="name"/> (resnet20, vgg11-bn, densenet121…; see <see cref="ArchitectureRegistry.PresetNames"/>).</summary>
    public static IArchitecture ByName(string name) => ArchitectureRegistry.Create(name);
}
