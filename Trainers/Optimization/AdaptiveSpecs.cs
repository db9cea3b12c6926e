using TorchSharp;
using TorchSharp.Modules;

namespace MLToolkit.Trainers.Optimization;

/// <summary>AdaGrad: each parameter's step shrinks with the sum of its past squared gradients (good for sparse features).</summary>
public sealed record AdaGradSpec : OptimizerSpec
{
    /// <inheritdoc />
    public override torch.optim.Optimizer Create(IEnumerable<Parameter> parameters) =>
        torch.optim.Adagrad(parameters, LearningRate, weight_decay: WeightDecay);
}

/// <summary>AdaDelta: AdaGrad with a decaying window and steps in the units of the parameters (learning rate 1.0 is usual).</summary>
public sealed record AdaDeltaSpec : OptimizerSpec
{
    readonly double _rho = 0.9;

    /// <summary>Decay of the running averages.</summary>
    public double Rho { get => _rho; init => _rho = Fraction(value, nameof(Rho)); }

    /// <inheritdoc />
    public override torch.optim.Optimizer Create(IEnumerable<Parameter> parameters) =>
        torch.optim.Adadelta(parameters, LearningRate, Rho, weight_decay: WeightDecay);
}

/// <summary>RMSprop: divides each step by a running root-mean-square of recent gradients.</summary>
public sealed record RmsPropSpec : OptimizerSpec
{
    readonly double _alpha = 0.99, _momentum;

    /// <summary>Decay of the running mean of squared gradients.</summary>
    public double Alpha { get => _alpha; init => _alpha = Fraction(value, nameof(Alpha)); }

    /// <summary>Momentum.</summary>
    public double Momentum { get => _momentum; init => _momentum = Fraction(value, nameof(Momentum)); }

    /// <inheritdoc />
    public override torch.optim.Optimizer Create(IEnumerable<Parameter> parameters) =>
        torch.optim.RMSProp(parameters, LearningRate, Alpha, weight_decay: WeightDecay, momentum: Momentum);
}
