namespace MLToolkit.Trainers.LearningRates;

/// <summary>Multiplies the learning rate by <see cref="Gamma"/> after every epoch (PyTorch's ExponentialLR); changes per epoch.</summary>
public sealed record ExponentialDecay : ILearningRateSchedule
{
    /// <summary>Creates an exponential decay.</summary>
    /// <exception cref="ArgumentException">Gamma is not in (0, 1].</exception>
    public ExponentialDecay(double gamma)
    {
        if (!(gamma > 0 && gamma <= 1)) throw new ArgumentException($"gamma must be in (0, 1]; it is {gamma}.", nameof(gamma));
        Gamma = gamma;
    }

    /// <summary>Factor per epoch.</summary>
    public double Gamma { get; }

    /// <inheritdoc />
    public double Factor(SchedulePosition position) => Math.Pow(Gamma, position.Epoch);
}
