using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.NetworkLayers;
using static MLToolkit.Layers;

namespace MLToolkit.Trainers.Networks.Zoo;

/// <summary>
/// ResNet (He et al., 2015) for ImageNet-sized inputs, torchvision's layout: skip connections let
/// very deep stacks train, 1×1 projection shortcuts match shapes when a stage halves the size, and
/// ResNet-50/101/152 use bottleneck blocks (1×1 reduce → 3×3 → 1×1 expand ×4) so depth costs few
/// parameters. ResNet-18 has 11.69M parameters, ResNet-50 25.56M on 3×224×224. On inputs under 64
/// pixels the stem is one 3×3 convolution without pooling (the usual CIFAR adaptation).
/// </summary>
/// <param name="Depth">18, 34, 50, 101 or 152.</param>
/// <param name="BlocksPerStage">
/// Blocks in each of the four stages, when not the published count of <paramref name="Depth"/>
/// (CNTK's ImageNet ResNet-18, the toolkit's pretrained start, has 2, 2, 2, 3).
/// </param>
public sealed record ResNet(int Depth = 18, int[]? BlocksPerStage = null) : LayeredArchitecture
{
    static readonly Dictionary<int, (int[] Blocks, bool Bottleneck)> Configurations = new()
    {
        [18] = ([2, 2, 2, 2], false), [34] = ([3, 4, 6, 3], false), [50] = ([3, 4, 6, 3], true),
        [101] = ([3, 4, 23, 3], true), [152] = ([3, 8, 36, 3], true),
    };

    /// <inheritdoc />
    public override string Name => $"resnet{Depth}";

    /// <inheritdoc />
    public override Layer Define(ImageShape input)
    {
        if (!Configurations.TryGetValue(Depth, out var configuration))
            throw new ArgumentException($"ResNet depth must be 18, 34, 50, 101 or 152 (or 20, 32, 44, 56, 110 for CifarResNet); it is {Depth}.", nameof(Depth));
        var blocks = BlocksPerStage ?? configuration.Blocks;
        if (blocks.Length != 4 || blocks.Any(b => b < 1))
            throw new ArgumentException($"ResNet.BlocksPerStage must list 4 positive block counts; it is [{string.Join(", ", blocks)}].", nameof(BlocksPerStage));
        var layers = new List<Layer>();
        if (IsSmall(input)) layers.Add(ConvBnRelu(64, 3));
        else layers.AddRange([ConvBnRelu(64, 7, 2, Padding.Of(3)), MaxPool(3, 2, Padding.Of(1))]);

        int channels = 64, expansion = configuration.Bottleneck ? 4 : 1;
        for (int stage = 0; stage < 4; stage++)
        {
            int width = 64 << stage;
            for (int block = 0; block < blocks[stage]; block++)
            {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                layers.Add(configuration.Bottleneck ? BottleneckBlock(channels, width, stride) : BasicBlock(channels, width, stride));
                channels = width * expansion;
            }
        }
        layers.AddRange([GlobalAvgPool(), Output()]);
        return new Sequence(layers);
    }

    /// <summary>Two 3×3 convolutions plus the shortcut; a projection shortcut when the shape changes.</summary>
    internal static Residual BasicBlock(int inChannels, int width, int stride, Layer? shortcut = null) => Residual(
        Sequence(ConvBnRelu(width, 3, stride), Conv2D(width, 3, useBias: false), BatchNorm()),
        shortcut ?? Projection(inChannels, width, stride), ReLU());

    /// <summary>1×1 reduce, 3×3 (with the stride, as torchvision v1.5), 1×1 expand to 4× width.</summary>
    static Residual BottleneckBlock(int inChannels, int width, int stride) => Residual(
        Sequence(ConvBnRelu(width, 1), ConvBnRelu(width, 3, stride), Conv2D(width * 4, 1, useBias: false), BatchNorm()),
        Projection(inChannels, width * 4, stride), ReLU());

    /// <summary>The identity when shapes agree (null), else a strided 1×1 convolution with batch norm.</summary>
    static Layer? Projection(int inChannels, int outChannels, int stride) =>
        stride == 1 && inChannels == outChannels ? null : Sequence(Conv2D(outChannels, 1, stride, useBias: false), BatchNorm());
}
