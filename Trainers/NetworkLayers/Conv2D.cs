using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>A 2-D convolution with square kernels: [C, H, W] → [Filters, H', W'].</summary>
/// <param name="Filters">Output channels.</param>
/// <param name="KernelSize">Kernel height and width.</param>
/// <param name="Stride">Step of the kernel.</param>
/// <param name="Padding">Padding; null means <see cref="NetworkLayers.Padding.Same"/>.</param>
/// <param name="UseBias">Whether to add a bias (leave it off before batch normalization, whose shift replaces it).</param>
/// <param name="Groups">Grouped convolution: each group of input channels feeds its own filters.</param>
/// <param name="Init">Weight initialiser; null uses the network's default.</param>
public sealed record Conv2D(int Filters, int KernelSize, int Stride = 1, Padding? Padding = null, bool UseBias = true,
    int Groups = 1, Initializer? Init = null) : Layer
{
    /// <inheritdoc />
    public override string Kind => "conv2d";

    Padding Pad => Padding ?? NetworkLayers.Padding.Same;

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        RequireImage(input);
        if (Filters < 1 || KernelSize < 1 || Stride < 1 || Groups < 1)
            throw new ArgumentException($"conv2d needs positive filters, kernel size, stride and groups; it has {Filters}, {KernelSize}, {Stride}, {Groups}.");
        if (input[0] % Groups != 0 || Filters % Groups != 0)
            throw new ArgumentException($"conv2d with {Groups} groups needs input channels ({input[0]}) and filters ({Filters}) divisible by {Groups}.");
        return [Filters, Pad.OutputSize(input[1], KernelSize, Stride), Pad.OutputSize(input[2], KernelSize, Stride)];
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        var conv = nn.Conv2d(input[0], Filters, KernelSize, stride: Stride, padding: Pad.For(KernelSize), groups: Groups, bias: UseBias);
        Initializers.Apply(Init ?? context.DefaultInitializer, conv.weight!, conv.bias);
        return conv;
    }
}
