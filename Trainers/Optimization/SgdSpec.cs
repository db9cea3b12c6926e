using TorchSharp;
using TorchSharp.Modules;

namespace MLToolkit.Trainers.Optimization;

/// <summary>Stochastic gradient descent: plain, with momentum, or with Nesterov momentum (NAG).</summary>
public sealed record SgdSpec : OptimizerSpec
{
    readonly double _momentum;
    readonly bool _nesterov;

    /// <summary>Momentum: the fraction of the previous step kept (0 for plain SGD).</summary>
    public double Momentum { get => _momentum; init => _momentum = Fraction(value, nameof(Momentum)); }

    /// <summary>Nesterov's accelerated gradient: evaluate the gradient after the momentum step. Needs momentum.</summary>
    public bool Nesterov
    {
        get => _nesterov;
        init => _nesterov = !value || Momentum > 0 ? value : throw new ArgumentException("Nesterov momentum needs momentum > 0.", nameof(Nesterov));
    }

    /// <inheritdoc />
    public override torch.optim.Optimizer Create(IEnumerable<Parameter> parameters) =>
        torch.optim.SGD(parameters, LearningRate, Momentum, dampening: 0, weight_decay: WeightDecay, nesterov: Nesterov);
}
