using TorchSharp;
using TorchSharp.Modules;

namespace MLToolkit.Trainers.Optimizers;

/// <summary>
/// How to build the optimizer for a network: its kind and settings, without touching any tensor,
/// so that options objects stay plain data. Create instances with <see cref="MLToolkit.Optimizers"/>.
/// </summary>
public abstract record OptimizerSpec
{
    /// <summary>The base learning rate (before any schedule scales it).</summary>
    public double LearningRate { get; }

    /// <summary>Validates and stores the base learning rate.</summary>
    /// <exception cref="ArgumentException">The rate is not a positive finite number.</exception>
    protected OptimizerSpec(double learningRate)
    {
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
            throw new ArgumentException($"learningRate must be a positive finite number; it is {learningRate}.", nameof(learningRate));
        LearningRate = learningRate;
    }

    /// <summary>Builds the optimizer over <paramref name="parameters"/>.</summary>
    public abstract torch.optim.Optimizer Create(IEnumerable<Parameter> parameters);

    /// <summary>The same optimizer with another base learning rate.</summary>
    public abstract OptimizerSpec WithLearningRate(double learningRate);
}

/// <summary>Adam (Kingma and Ba): per-parameter step sizes from running moments of the gradient.</summary>
public sealed record AdamSpec : OptimizerSpec
{
    /// <summary>Creates Adam settings.</summary>
    public AdamSpec(double learningRate, double beta1, double beta2, double epsilon, double weightDecay) : base(learningRate)
    {
        if (beta1 is < 0 or >= 1) throw new ArgumentException($"beta1 must be in [0, 1); it is {beta1}.", nameof(beta1));
        if (beta2 is < 0 or >= 1) throw new ArgumentException($"beta2 must be in [0, 1); it is {beta2}.", nameof(beta2));
        if (!(epsilon > 0)) throw new ArgumentException($"epsilon must be positive; it is {epsilon}.", nameof(epsilon));
        if (!(weightDecay >= 0)) throw new ArgumentException($"weightDecay must be >= 0; it is {weightDecay}.", nameof(weightDecay));
        (Beta1, Beta2, Epsilon, WeightDecay) = (beta1, beta2, epsilon, weightDecay);
    }

    /// <summary>Decay of the first-moment estimate.</summary>
    public double Beta1 { get; }
    /// <summary>Decay of the second-moment estimate.</summary>
    public double Beta2 { get; }
    /// <summary>Added to the denominator for numerical stability.</summary>
    public double Epsilon { get; }
    /// <summary>L2 penalty added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc />
    public override torch.optim.Optimizer Create(IEnumerable<Parameter> parameters) =>
        torch.optim.Adam(parameters, LearningRate, Beta1, Beta2, Epsilon, WeightDecay);

    /// <inheritdoc />
    public override OptimizerSpec WithLearningRate(double learningRate) => new AdamSpec(learningRate, Beta1, Beta2, Epsilon, WeightDecay);
}

/// <summary>Stochastic gradient descent with (optionally Nesterov) momentum.</summary>
public sealed record SgdSpec : OptimizerSpec
{
    /// <summary>Creates SGD settings.</summary>
    public SgdSpec(double learningRate, double momentum, bool nesterov, double weightDecay) : base(learningRate)
    {
        if (momentum is < 0 or >= 1) throw new ArgumentException($"momentum must be in [0, 1); it is {momentum}.", nameof(momentum));
        if (nesterov && momentum == 0) throw new ArgumentException("Nesterov momentum needs momentum > 0.", nameof(nesterov));
        if (!(weightDecay >= 0)) throw new ArgumentException($"weightDecay must be >= 0; it is {weightDecay}.", nameof(weightDecay));
        (Momentum, Nesterov, WeightDecay) = (momentum, nesterov, weightDecay);
    }

    /// <summary>Momentum factor (0 for plain SGD).</summary>
    public double Momentum { get; }
    /// <summary>Whether to use Nesterov momentum.</summary>
    public bool Nesterov { get; }
    /// <summary>L2 penalty added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc />
    public override torch.optim.Optimizer Create(IEnumerable<Parameter> parameters) =>
        torch.optim.SGD(parameters, LearningRate, Momentum, dampening: 0, weight_decay: WeightDecay, nesterov: Nesterov);

    /// <inheritdoc />
    public override OptimizerSpec WithLearningRate(double learningRate) => new SgdSpec(learningRate, Momentum, Nesterov, WeightDecay);
}
