namespace MLToolkit.Trainers.LearningRates;

/// <summary>Multiplies the learning rate by <see cref="Gamma"/> every <see cref="EveryEpochs"/> epochs (Keras' step decay, PyTorch's StepLR); changes per epoch.</summary>
public sealed record StepDecay : ILearningRateSchedule
{
    /// <summary>Creates a step decay.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public StepDecay(int everyEpochs, double gamma)
    {
        if (everyEpochs < 1) throw new ArgumentException($"everyEpochs must be >= 1; it is {everyEpochs}.", nameof(everyEpochs));
        if (!(gamma > 0 && gamma <= 1)) throw new ArgumentException($"gamma must be in (0, 1]; it is {gamma}.", nameof(gamma));
        (EveryEpochs, Gamma) = (everyEpochs, gamma);
    }

    /// <summary>Epochs between two decays.</summary>
    public int EveryEpochs { get; }

    /// <summary>Factor applied at each decay.</summary>
    public double Gamma { get; }

    /// <inheritdoc />
    public double Factor(SchedulePosition position) => Math.Pow(Gamma, position.Epoch / EveryEpochs);
}
