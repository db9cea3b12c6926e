using TorchSharp;
using TorchSharp.Modules;

namespace MLToolkit.Trainers.Optimization;

/// <summary>
/// Adam: per-parameter steps from running means of the gradient and its square. With
/// <see cref="DecoupledWeightDecay"/> it is AdamW, whose weight decay shrinks the weights directly
/// instead of passing through the adaptive scaling (which weakens it in Adam).
/// </summary>
public sealed record AdamSpec : OptimizerSpec
{
    readonly double _beta1 = 0.9, _beta2 = 0.999, _epsilon = 1e-8;

    /// <summary>Decay of the running mean of gradients.</summary>
    public double Beta1 { get => _beta1; init => _beta1 = Fraction(value, nameof(Beta1)); }

    /// <summary>Decay of the running mean of squared gradients.</summary>
    public double Beta2 { get => _beta2; init => _beta2 = Fraction(value, nameof(Beta2)); }

    /// <summary>Added to the denominator for stability.</summary>
    public double Epsilon { get => _epsilon; init => _epsilon = Positive(value, nameof(Epsilon)); }

    /// <summary>AdamW: decay the weights directly.</summary>
    public bool DecoupledWeightDecay { get; init; }

    /// <inheritdoc />
    public override torch.optim.Optimizer Create(IEnumerable<Parameter> parameters) => DecoupledWeightDecay
        ? torch.optim.AdamW(parameters, LearningRate, Beta1, Beta2, Epsilon, WeightDecay)
        : torch.optim.Adam(parameters, LearningRate, Beta1, Beta2, Epsilon, WeightDecay);
}
