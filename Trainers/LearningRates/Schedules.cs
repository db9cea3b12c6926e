using MLToolkit.Trainers.LearningRates;

namespace MLToolkit;

/// <summary>Factory methods for learning-rate schedules.</summary>
public static class Schedules
{
    /// <summary>The base learning rate throughout.</summary>
    public static ConstantRate Constant() => new();

    /// <summary>Multiplies the learning rate by <paramref name="factor"/> every <paramref name="everyEpochs"/> epochs.</summary>
    public static StepDecay StepDecay(int everyEpochs, double factor) => new(everyEpochs, factor);

    /// <summary>Multiplies the learning rate by <paramref name="gamma"/> after every epoch.</summary>
    public static ExponentialDecay ExponentialDecay(double gamma) => new(gamma);

    /// <summary>Linear warm-up over <paramref name="warmupEpochs"/>, then cosine annealing to <paramref name="minFactor"/> × base.</summary>
    public static CosineAnnealing Cosine(double warmupEpochs = 0, double minFactor = 0) => new(warmupEpochs, minFactor);

    /// <summary>The one-cycle policy; the optimizer's learning rate is the peak.</summary>
    public static OneCycle OneCycle(double warmupShare = 0.3, double divFactor = 25, double finalDivFactor = 1e4) =>
        new(warmupShare, divFactor, finalDivFactor);

    /// <summary>Multiplies the rate by <paramref name="gamma"/> when the monitored loss stalls for <paramref name="patience"/> epochs.</summary>
    public static ReduceOnPlateau ReduceOnPlateau(double gamma = 0.5, int patience = 2, double minFactor = 1e-3) =>
        new(gamma, patience, minFactor);
}
