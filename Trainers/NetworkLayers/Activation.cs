using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>Element-wise activation functions.</summary>
public enum ActivationKind
{
    /// <summary>max(0, x).</summary>
    ReLU,
    /// <summary>x for x &gt; 0, slope·x otherwise.</summary>
    LeakyReLU,
    /// <summary>x for x &gt; 0, eˣ − 1 otherwise.</summary>
    ELU,
    /// <summary>x·Φ(x).</summary>
    GELU,
    /// <summary>1 / (1 + e⁻ˣ).</summary>
    Sigmoid,
    /// <summary>Hyperbolic tangent (LeNet).</summary>
    Tanh,
    /// <summary>Probabilities over the feature dimension (the trainer's loss expects logits: use only inside a network).</summary>
    Softmax,
}

/// <summary>An activation layer; the shape is unchanged.</summary>
/// <param name="Function">Which function.</param>
/// <param name="Slope">Negative slope of <see cref="ActivationKind.LeakyReLU"/>.</param>
public sealed record Activation(ActivationKind Function, double Slope = 0.01) : Layer
{
    /// <inheritdoc />
    public override string Kind => Function.ToString().ToLowerInvariant();

    /// <inheritdoc />
    public override long[] OutputShape(long[] input) => input;

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context) => Function switch
    {
        ActivationKind.ReLU => nn.ReLU(),
        ActivationKind.LeakyReLU => nn.LeakyReLU(Slope),
        ActivationKind.ELU => nn.ELU(),
        ActivationKind.GELU => nn.GELU(),
        ActivationKind.Sigmoid => nn.Sigmoid(),
        ActivationKind.Tanh => nn.Tanh(),
        ActivationKind.Softmax => nn.Softmax(1),
        _ => throw new ArgumentOutOfRangeException(nameof(Function), Function, "Unknown activation."),
    };
}

/// <summary>Passes its input through unchanged: the identity branch of a <see cref="Concat"/> (DenseNet) or a <see cref="Residual"/>.</summary>
public sealed record Identity : Layer
{
    /// <inheritdoc />
    public override string Kind => "identity";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input) => input;

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context) => nn.Identity();
}

/// <summary>Flattens [C, H, W] to [C·H·W].</summary>
public sealed record Flatten : Layer
{
    /// <inheritdoc />
    public override string Kind => "flatten";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input) => [input.Aggregate(1L, (a, b) => a * b)];

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context) => nn.Flatten();
}
