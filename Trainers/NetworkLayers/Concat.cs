using MLToolkit.Trainers.NetworkLayers.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>
/// Branches applied to the same input whose outputs are concatenated along the channels: an Inception
/// block, or, with an <see cref="Identity"/> branch, a DenseNet layer (input ++ new features).
/// </summary>
/// <param name="Branches">The branches; all must give the same height and width.</param>
public sealed record Concat(IReadOnlyList<Layer> Branches) : Layer
{
    /// <inheritdoc />
    public override string Kind => "concat";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        if (Branches is null || Branches.Count == 0) throw new ArgumentException("concat needs at least one branch.");
        var shapes = Branches.Select(b => b.OutputShape(input)).ToArray();
        if (shapes.Any(s => s.Length != shapes[0].Length || !s.Skip(1).SequenceEqual(shapes[0].Skip(1))))
            throw new ArgumentException("concat: the branches give different sizes: " +
                                        string.Join(" vs ", shapes.Select(s => $"[{ShapeText(s)}]")) + "; only the channels may differ.");
        return [shapes.Sum(s => s[0]), .. shapes[0].Skip(1)];
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        return new ConcatModule(Branches.Select(b => (context.NextName("branch"), b.Build(input, context))));
    }
}
