using MLToolkit.Trainers.NetworkLayers.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>
/// A skip connection (ResNet): output = After(Body(x) + Shortcut(x)). The shortcut is the identity
/// when the shapes agree; otherwise a 1×1 convolution with stride (a projection) or a
/// <see cref="PadShortcut"/> makes them agree.
/// </summary>
/// <param name="Body">The residual branch.</param>
/// <param name="Shortcut">The shortcut branch; null is the identity.</param>
/// <param name="After">Applied to the sum (ResNet: ReLU); null for none.</param>
public sealed record Residual(Layer Body, Layer? Shortcut = null, Layer? After = null) : Layer
{
    /// <inheritdoc />
    public override string Kind => "residual";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        var body = Body.OutputShape(input);
        var shortcut = Shortcut?.OutputShape(input) ?? input;
        if (!body.SequenceEqual(shortcut))
            throw new ArgumentException($"residual: the body gives [{ShapeText(body)}] but the shortcut gives [{ShapeText(shortcut)}]; " +
                                        "add a projection shortcut (1×1 convolution with the body's stride and filters).");
        return After?.OutputShape(body) ?? body;
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        return new ResidualModule(Body.Build(input, context), Shortcut?.Build(input, context), After?.Build(Body.OutputShape(input), context));
    }
}
