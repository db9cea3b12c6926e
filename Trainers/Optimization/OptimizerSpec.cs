using TorchSharp;
using TorchSharp.Modules;

namespace MLToolkit.Trainers.Optimization;

/// <summary>
/// Settings of an optimizer, turned into a fresh TorchSharp optimizer for each training run (so one
/// options object can train many models). The trainer sets the learning rate of every step from
/// <see cref="LearningRate"/> times the schedule's factor.
/// </summary>
public abstract record OptimizerSpec
{
    readonly double _learningRate = 1e-3, _weightDecay;

    /// <summary>Peak learning rate.</summary>
    /// <exception cref="ArgumentException">Not a positive finite number.</exception>
    public double LearningRate
    {
        get => _learningRate;
        init => _learningRate = value > 0 && !double.IsInfinity(value)
            ? value
            : throw new ArgumentException($"The learning rate must be a positive finite number; it is {value}.", nameof(LearningRate));
    }

    /// <summary>Weight decay (an L2 pull towards zero applied by the optimizer; decoupled for AdamW).</summary>
    /// <exception cref="ArgumentException">Negative.</exception>
    public double WeightDecay
    {
        get => _weightDecay;
        init => _weightDecay = value >= 0 ? value : throw new ArgumentException($"The weight decay must be >= 0; it is {value}.", nameof(WeightDecay));
    }

    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    public abstract torch.optim.Optimizer Create(IEnumerable<Parameter> parameters);

    /// <summary>
    /// A parameter group with these settings, to add to an optimizer made by <see cref="Create"/> (a
    /// backbone and a head learning at different rates). Taken from a throwaway optimizer so that each
    /// optimizer kind's own group type and options are used.
    /// </summary>
    public ParamGroup Group(IEnumerable<Parameter> parameters)
    {
        using var template = (OptimizerHelper)Create(parameters);
        return (ParamGroup)template.ParamGroups.First();
    }

    /// <summary>The same settings with another peak learning rate.</summary>
    public OptimizerSpec WithLearningRate(double learningRate) => this with { LearningRate = learningRate };

    /// <summary>Throws unless <paramref name="value"/> is in [0, 1), naming the setting.</summary>
    protected static double Fraction(double value, string name) =>
        value is >= 0 and < 1 ? value : throw new ArgumentException($"{name} must be in [0, 1); it is {value}.", name);

    /// <summary>Throws unless <paramref name="value"/> is positive, naming the setting.</summary>
    protected static double Positive(double value, string name) =>
        value > 0 ? value : throw new ArgumentException($"{name} must be positive; it is {value}.", name);
}
