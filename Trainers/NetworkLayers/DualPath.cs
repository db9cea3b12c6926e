using MLToolkit.Trainers.NetworkLayers.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>
/// A dual-path block (DPN): the body's first <paramref name="ResidualChannels"/> channels are added to
/// the input's first ones (a ResNet path that reuses features) and its other channels are appended
/// to the input's others (a DenseNet path that finds new ones).
/// </summary>
/// <param name="Body">The block; it gives <paramref name="ResidualChannels"/> + new dense channels.</param>
/// <param name="ResidualChannels">Width of the residual path.</param>
/// <param name="Shortcut">Projects the input when the block changes size (first block of a stage); null for identity.</param>
public sealed record DualPath(Layer Body, int ResidualChannels, Layer? Shortcut = null) : Layer
{
    /// <inheritdoc />
    public override string Kind => "dual_path";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        var body = Body.OutputShape(input);
        var path = Shortcut?.OutputShape(input) ?? input;
        if (body.Length != 3 || path.Length != 3 || body[1] != path[1] || body[2] != path[2])
            throw new ArgumentException($"dual_path: body [{ShapeText(body)}] and shortcut [{ShapeText(path)}] must be images of the same size.");
        if (body[0] < ResidualChannels || path[0] < ResidualChannels)
            throw new ArgumentException($"dual_path: both paths need at least {ResidualChannels} residual channels; they have {body[0]} and {path[0]}.");
        return [path[0] + body[0] - ResidualChannels, body[1], body[2]];
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        return new DualPathModule(Body.Build(input, context), Shortcut?.Build(input, context), ResidualChannels);
    }
}
