using MLToolkit.Trainers.NetworkLayers.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>
/// The parameter-free shortcut of the CIFAR ResNets ("option A"): subsample by the stride and pad the
/// new channels with zeros.
/// </summary>
public sealed record PadShortcut(int Channels, int Stride) : Layer
{
    /// <inheritdoc />
    public override string Kind => "pad_shortcut";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        RequireImage(input);
        if (Channels < input[0]) throw new ArgumentException($"pad_shortcut cannot shrink {input[0]} channels to {Channels}.");
        return [Channels, (input[1] + Stride - 1) / Stride, (input[2] + Stride - 1) / Stride];
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        return new PadShortcutModule(Channels - input[0], Stride);
    }
}
