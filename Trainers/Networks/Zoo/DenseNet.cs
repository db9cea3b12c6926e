using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.NetworkLayers;
using static MLToolkit.Layers;

namespace MLToolkit.Trainers.Networks.Zoo;

/// <summary>
/// DenseNet (Huang et al., 2016): inside a dense block every layer (BN → ReLU → 1×1 conv to
/// <paramref name="BottleneckWidth"/>·k → BN → ReLU → 3×3 conv to k) sees the concatenation of all
/// earlier outputs; transition blocks (BN → 1×1 conv that keeps <paramref name="Compression"/> of the
/// channels → 2×2 average pooling) shrink between blocks. DenseNet-121 (k = 32, blocks 6-12-24-16,
/// 7.98M parameters on 3×224×224) and the CIFAR DenseNet-BC (k = 12, depth 100, three blocks of 16
/// layers). The name gives the depth: 2 × layers + transitions + 2.
/// </summary>
/// <param name="GrowthRate">k, the channels each layer adds.</param>
/// <param name="Blocks">Layers per dense block.</param>
/// <param name="InitialFeatures">Filters of the stem convolution (64 for ImageNet, 2k for CIFAR).</param>
/// <param name="BottleneckWidth">Width of the 1×1 bottleneck in multiples of k.</param>
/// <param name="Compression">Fraction of channels a transition keeps (θ).</param>
public sealed record DenseNet(int GrowthRate, int[] Blocks, int InitialFeatures, int BottleneckWidth = 4, double Compression = 0.5) : LayeredArchitecture
{
    /// <summary>DenseNet-121: k = 32, blocks 6, 12, 24, 16, 64 stem filters.</summary>
    public static DenseNet DenseNet121() => new(32, [6, 12, 24, 16], 64);

    /// <summary>DenseNet-BC for CIFAR: k = 12, three blocks of (depth − 4) / 6 layers, 2k stem filters.</summary>
    public static DenseNet Bc(int depth = 100, int growthRate = 12)
    {
        if (depth < 10 || (depth - 4) % 6 != 0)
            throw new ArgumentException($"A DenseNet-BC's depth is 6n + 4 (40, 100, 190…); it is {depth}.", nameof(depth));
        int layers = (depth - 4) / 6;
        return new(growthRate, [layers, layers, layers], 2 * growthRate);
    }

    /// <summary>Weight layers: two convolutions per dense layer, one per transition, the stem and the output.</summary>
    public int Depth => 2 * Blocks.Sum() + Blocks.Length - 1 + 2;

    /// <inheritdoc />
    public override string Name => $"densenet{Depth}";

    /// <inheritdoc />
    public override Layer Define(ImageShape input)
    {
        if (GrowthRate < 1 || Blocks is null || Blocks.Length == 0 || Blocks.Any(b => b < 1) || InitialFeatures < 1 || Compression is <= 0 or > 1)
            throw new ArgumentException("DenseNet needs a positive growth rate, at least one block of positive layers, positive stem filters and compression in (0, 1].");
        var layers = new List<Layer>();
        if (IsSmall(input)) layers.Add(Conv2D(InitialFeatures, 3, useBias: false));
        else layers.AddRange([ConvBnRelu(InitialFeatures, 7, 2, Padding.Of(3)), MaxPool(3, 2, Padding.Of(1))]);

        int channels = InitialFeatures;
        for (int b = 0; b < Blocks.Length; b++)
        {
            for (int l = 0; l < Blocks[b]; l++)
            {
                layers.Add(Concat(Identity(), Sequence(BnReluConv(BottleneckWidth * GrowthRate, 1), BnReluConv(GrowthRate, 3))));
                channels += GrowthRate;
            }
            if (b == Blocks.Length - 1) break;
            channels = (int)Math.Floor(channels * Compression);
            layers.Add(Sequence(BnReluConv(channels, 1), AvgPool(2, 2)));
        }
        layers.AddRange([BatchNorm(), ReLU(), GlobalAvgPool(), Output()]);
        return new Sequence(layers);
    }
}
