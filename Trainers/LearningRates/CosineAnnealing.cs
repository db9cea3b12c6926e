namespace MLToolkit.Trainers.LearningRates;

/// <summary>
/// Cosine annealing with optional linear warm-up, per batch: the rate climbs from 0 to the base rate
/// over <see cref="WarmupEpochs"/>, then follows half a cosine down to <see cref="MinFactor"/> × base
/// at the end of training (SGDR without restarts).
/// </summary>
public sealed record CosineAnnealing : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public CosineAnnealing(double warmupEpochs = 0, double minFactor = 0)
    {
        if (!(warmupEpochs >= 0)) throw new ArgumentException($"warmupEpochs must be >= 0; it is {warmupEpochs}.", nameof(warmupEpochs));
        if (!(minFactor >= 0 && minFactor < 1)) throw new ArgumentException($"minFactor must be in [0, 1); it is {minFactor}.", nameof(minFactor));
        (WarmupEpochs, MinFactor) = (warmupEpochs, minFactor);
    }

    /// <summary>Epochs of linear warm-up (may be fractional).</summary>
    public double WarmupEpochs { get; }

    /// <summary>The final factor.</summary>
    public double MinFactor { get; }

    /// <inheritdoc />
    public double Factor(SchedulePosition position)
    {
        // The rate of a step is taken at the end of it, so the first warm-up step is not zero.
        double t = position.EpochsDone + 1.0 / position.BatchesPerEpoch;
        if (t <= WarmupEpochs) return t / WarmupEpochs;
        double span = Math.Max(1e-9, position.Epochs - WarmupEpochs);
        double done = Math.Min(1, (position.EpochsDone - WarmupEpochs) / span);
        return MinFactor + (1 - MinFactor) * 0.5 * (1 + Math.Cos(Math.PI * Math.Max(0, done)));
    }
}
