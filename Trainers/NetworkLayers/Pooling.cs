using MLToolkit.Trainers.NetworkLayers.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>Which statistic a pooling window keeps.</summary>
public enum PoolType
{
    /// <summary>The largest value.</summary>
    Max,
    /// <summary>The mean value.</summary>
    Average,
}

/// <summary>
/// Max or average pooling. A stride smaller than the window gives overlapping pooling (AlexNet's 3×3
/// windows at stride 2); the stride defaults to the window size.
/// </summary>
/// <param name="Type">Max or average.</param>
/// <param name="Size">Window height and width.</param>
/// <param name="Stride">Step; null means <paramref name="Size"/>.</param>
/// <param name="Padding">Padding; null means none.</param>
/// <param name="CeilMode">Round the output size up, so a last partial window still counts (7 → 4 at size 2).</param>
public sealed record Pool(PoolType Type, int Size, int? Stride = null, Padding? Padding = null, bool CeilMode = false) : Layer
{
    /// <inheritdoc />
    public override string Kind => Type == PoolType.Max ? "max_pool" : "avg_pool";

    int Step => Stride ?? Size;
    Padding Pad => Padding ?? NetworkLayers.Padding.Valid;

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        RequireImage(input);
        if (Size < 1 || Step < 1) throw new ArgumentException($"{Kind} needs a positive size and stride; it has {Size} and {Step}.");
        return [input[0], Pad.OutputSize(input[1], Size, Step, CeilMode), Pad.OutputSize(input[2], Size, Step, CeilMode)];
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        int pad = Pad.For(Size);
        return Type == PoolType.Max
            ? nn.MaxPool2d(Size, Step, pad, ceil_mode: CeilMode)
            : nn.AvgPool2d(Size, Step, pad, ceil_mode: CeilMode);
    }
}

/// <summary>Global average pooling: [C, H, W] → [C], the mean of each channel (GoogLeNet, ResNet, DenseNet heads).</summary>
public sealed record GlobalAvgPool : Layer
{
    /// <inheritdoc />
    public override string Kind => "global_avg_pool";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        RequireImage(input);
        return [input[0]];
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        return new GlobalAvgPoolModule();
    }
}

/// <summary>Average pooling to a fixed output size whatever the input size (torchvision's AlexNet/VGG heads).</summary>
public sealed record AdaptiveAvgPool(int Height, int Width) : Layer
{
    /// <inheritdoc />
    public override string Kind => "adaptive_avg_pool";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        RequireImage(input);
        return [input[0], Height, Width];
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        return nn.AdaptiveAvgPool2d(new long[] { Height, Width });
    }
}

/// <summary>
/// Stochastic pooling (Zeiler &amp; Fergus, 2013): while training, each window outputs one of its
/// activations drawn with probability proportional to its value; at prediction, the
/// probability-weighted mean. Use after a non-negative activation such as ReLU.
/// </summary>
public sealed record StochasticPool(int Size = 2, int? Stride = null) : Layer
{
    /// <inheritdoc />
    public override string Kind => "stochastic_pool";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        RequireImage(input);
        int step = Stride ?? Size;
        return [input[0], Padding.Valid.OutputSize(input[1], Size, step), Padding.Valid.OutputSize(input[2], Size, step)];
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        return new StochasticPoolModule(Size, Stride ?? Size);
    }
}
