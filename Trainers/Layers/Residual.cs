using MLToolkit.Trainers.Layers.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Layers;

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
