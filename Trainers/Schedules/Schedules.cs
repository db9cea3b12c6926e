using MLToolkit.Trainers.Schedules;

namespace MLToolkit;

/// <summary>Factory methods for learning-rate schedules.</summary>
public static class Schedules
{
    /// <summary>The base learning rate throughout.</summary>
    public static ConstantRate Constant() => new();

    /// <summary>Multiplies the learning rate by <paramref name="factor"/> every <paramref name="everyEpochs"/> epochs.</summary>
    public static StepDecay StepDecay(int everyEpochs, double factor) => new(everyEpochs, factor);
}
