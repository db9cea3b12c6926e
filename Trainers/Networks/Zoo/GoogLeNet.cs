using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.NetworkLayers;
using static MLToolkit.Layers;

namespace MLToolkit.Trainers.Networks.Zoo;

/// <summary>
/// GoogLeNet / Inception v1 (Szegedy et al., 2014) in torchvision's layout (batch-normalised
/// convolutions): nine Inception blocks whose 1×1 convolutions shrink the channels before the
/// expensive 3×3 and 5×5 ones, global average pooling instead of big dense layers, and two
/// auxiliary classifiers (after 4a and 4d) whose loss is added with weight 0.3 while training and
/// which are dropped at prediction. 6.62M parameters on 3×224×224 without them. On inputs under 64
/// pixels the stem is two 3×3 convolutions and one pool.
/// </summary>
/// <param name="AuxiliaryClassifiers">Whether to train with the two auxiliary classifiers.</param>
/// <param name="WideKernel">Kernel of the "5×5" branch: torchvision (and its published 6.62M) uses 3, the paper 5.</param>
/// <param name="Dropout">Dropout before the output layer.</param>
public sealed record GoogLeNet(bool AuxiliaryClassifiers = true, int WideKernel = 3, double Dropout = 0.2) : LayeredArchitecture
{
    /// <inheritdoc />
    public override string Name => "googlenet";

    /// <summary>torchvision's BasicConv2d: convolution without bias, batch norm (ε = 0.001), ReLU.</summary>
    static Sequence Conv(int filters, int kernel, int stride = 1, Padding? padding = null) => ConvBnRelu(filters, kernel, stride, padding, epsilon: 1e-3);

    /// <summary>
    /// An Inception block: 1×1, 1×1→3×3, 1×1→wide and pool→1×1 branches concatenated. With
    /// <paramref name="reduce"/> off it is the naive block: 3×3 and wide convolutions read all input
    /// channels and the pool branch passes them through — compare both with <c>ModelSummary.Of</c>.
    /// </summary>
    public static Concat Inception(int ch1x1, int ch3x3Reduce, int ch3x3, int wideReduce, int wide, int poolProjection,
        int wideKernel = 3, bool reduce = true) => reduce
        ? Concat(
            Conv(ch1x1, 1),
            Sequence(Conv(ch3x3Reduce, 1), Conv(ch3x3, 3)),
            Sequence(Conv(wideReduce, 1), Conv(wide, wideKernel)),
            Sequence(MaxPool(3, 1, Padding.Of(1), ceilMode: true), Conv(poolProjection, 1)))
        : Concat(
            Conv(ch1x1, 1),
            Conv(ch3x3, 3),
            Conv(wide, wideKernel),
            MaxPool(3, 1, Padding.Of(1), ceilMode: true));

    /// <inheritdoc />
    public override Layer Define(ImageShape input)
    {
        Concat Block(int a, int b, int c, int d, int e, int f) => Inception(a, b, c, d, e, f, WideKernel);
        var pool = MaxPool(3, 2, ceilMode: true);
        var layers = new List<Layer>();
        if (IsSmall(input)) layers.AddRange([Conv(64, 3), Conv(192, 3), pool]);
        else layers.AddRange([Conv(64, 7, 2, Padding.Of(3)), pool, Conv(64, 1), Conv(192, 3), pool]);
        layers.AddRange([Block(64, 96, 128, 16, 32, 32), Block(128, 128, 192, 32, 96, 64), pool, Block(192, 96, 208, 16, 48, 64)]);
        if (AuxiliaryClassifiers) layers.Add(AuxiliaryHead());
        layers.AddRange([Block(160, 112, 224, 24, 64, 64), Block(128, 128, 256, 24, 64, 64), Block(112, 144, 288, 32, 64, 64)]);
        if (AuxiliaryClassifiers) layers.Add(AuxiliaryHead());
        layers.AddRange([Block(256, 160, 320, 32, 128, 128), MaxPool(2, 2, ceilMode: true),
            Block(256, 160, 320, 32, 128, 128), Block(384, 192, 384, 48, 128, 128),
            GlobalAvgPool(), MLToolkit.Layers.Dropout(Dropout), Output()]);
        return new Sequence(layers);
    }

    /// <summary>torchvision's InceptionAux: 4×4 average pool, 1×1 conv to 128, dense 1024, dropout 0.7, output.</summary>
    static AuxiliaryOutput AuxiliaryHead() => Auxiliary(Sequence(
        AdaptiveAvgPool(4, 4), Conv(128, 1), Flatten(), Dense(1024), ReLU(), MLToolkit.Layers.Dropout(0.7), Output()), weight: 0.3);
}
