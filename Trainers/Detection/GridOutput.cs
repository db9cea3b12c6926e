using MLToolkit.Trainers.NetworkLayers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Detection;

/// <summary>
/// The detection head's last layer: a 1×1 convolution to 5 + classes numbers per cell (see <see cref="GridTargets"/>).
/// Objectness starts at a prior of 1% (bias −4.6, as RetinaNet starts its classifier), so the first steps are not
/// spent pushing hundreds of empty cells towards zero; the rest starts at zero.
/// </summary>
public sealed record GridOutput : Layer
{
    /// <inheritdoc />
    public override string Kind => "grid_output";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        RequireImage(input);
        return [ClassifierOutput.ClassesPlaceholder, input[1], input[2]];
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        var conv = nn.Conv2d(input[0], GridTargets.OutputChannels(context.Classes), 1);
        using var _ = torch.no_grad();
        conv.weight!.normal_(0, 0.01);
        conv.bias!.zero_();
        conv.bias[0] = torch.tensor(-4.6f);
        return conv;
    }
}
