using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>
/// Batch normalization over channels ([C, H, W]) or features ([F]). In training it normalises with the
/// batch's statistics and updates running estimates; at prediction it uses the running estimates.
/// </summary>
/// <param name="Epsilon">Added to the variance for stability (GoogLeNet's published layout uses 0.001).</param>
/// <param name="Momentum">Weight of the newest batch in the running estimates.</param>
public sealed record BatchNorm(double Epsilon = 1e-5, double Momentum = 0.1) : Layer
{
    /// <inheritdoc />
    public override string Kind => "batch_norm";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input) => input.Length is 1 or 3
        ? input
        : throw new ArgumentException($"batch_norm needs [channels, height, width] or [features]; it got [{ShapeText(input)}].");

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        if (OutputShape(input).Length == 3)
        {
            var norm2d = nn.BatchNorm2d(input[0], eps: Epsilon, momentum: Momentum);
            ResetScaleAndShift(norm2d.weight, norm2d.bias);
            return norm2d;
        }
        var norm1d = nn.BatchNorm1d(input[0], eps: Epsilon, momentum: Momentum);
        ResetScaleAndShift(norm1d.weight, norm1d.bias);
        return norm1d;
    }

    /// <summary>Scale 1 and shift 0 (the published scheme), set here rather than trusted to the framework's default.</summary>
    static void ResetScaleAndShift(Tensor? weight, Tensor? bias)
    {
        using var _ = torch.no_grad();
        if (weight is not null) nn.init.ones_(weight);
        if (bias is not null) nn.init.zeros_(bias);
    }
}

/// <summary>
/// Local response normalization (AlexNet): each activation is divided by the activity of
/// <paramref name="Size"/> neighbouring channels at the same position.
/// </summary>
public sealed record LocalResponseNorm(int Size = 5, double Alpha = 1e-4, double Beta = 0.75, double K = 2) : Layer
{
    /// <inheritdoc />
    public override string Kind => "lrn";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        RequireImage(input);
        return input;
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        return nn.LocalResponseNorm(Size, Alpha, Beta, K);
    }
}

/// <summary>Drops each value with probability <paramref name="Rate"/> while training (scaling the rest); nothing at prediction.</summary>
public sealed record Dropout(double Rate) : Layer
{
    /// <inheritdoc />
    public override string Kind => "dropout";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input) => Rate is >= 0 and < 1
        ? input
        : throw new ArgumentException($"dropout rate must be in [0, 1); it is {Rate}.");

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        return new Modules.DropoutModule(Rate);
    }
}
