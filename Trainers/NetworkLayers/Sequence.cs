using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>Layers applied one after the other; a block of a larger network, or a whole sequential model.</summary>
/// <param name="Layers">The layers, first to last.</param>
public sealed record Sequence(IReadOnlyList<Layer> Layers) : Layer
{
    /// <inheritdoc />
    public override string Kind => "sequence";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        if (Layers is null || Layers.Count == 0) throw new ArgumentException("A sequence needs at least one layer.");
        var shape = input;
        for (int i = 0; i < Layers.Count; i++)
        {
            try { shape = Layers[i].OutputShape(shape); }
            catch (ArgumentException e) when (!e.Message.StartsWith("Layer ", StringComparison.Ordinal))
            {
                // Name the position: "layer 7 (dense)" is what a user needs to find the mistake.
                throw new ArgumentException($"Layer {i + 1} ({Layers[i].Kind}) with input [{ShapeText(shape)}]: {e.Message}", e);
            }
        }
        return shape;
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        var shape = input;
        foreach (var layer in Layers)
        {
            modules.Add((context.NextName(layer.Kind), layer.Build(shape, context)));
            shape = layer.OutputShape(shape);
        }
        return nn.Sequential(modules);
    }
}
