using MLToolkit.Trainers.NetworkLayers.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>
/// An auxiliary classifier (GoogLeNet): passes its input on unchanged and, while training only, also
/// feeds it to <paramref name="Head"/>, whose cross-entropy is added to the loss with
/// <paramref name="Weight"/>. At prediction the head does not run.
/// </summary>
public sealed record AuxiliaryOutput(Layer Head, double Weight = 0.3) : Layer
{
    /// <inheritdoc />
    public override string Kind => "auxiliary";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        var head = Head.OutputShape(input);
        if (head.Length != 1) throw new ArgumentException($"auxiliary: the head must end in class scores [classes]; it gives [{ShapeText(head)}].");
        if (!(Weight >= 0)) throw new ArgumentException($"auxiliary: the loss weight must be >= 0; it is {Weight}.");
        return input;
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        return new AuxiliaryTapModule(Head.Build(input, context), Weight, context.Auxiliary);
    }
}
