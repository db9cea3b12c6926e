namespace MLToolkit.Trainers.LearningRates;

/// <summary>
/// The one-cycle policy (Smith; PyTorch's OneCycleLR with cosine annealing), per batch: from
/// base / <see cref="DivFactor"/> up to the base rate (the peak) over the first
/// <see cref="WarmupShare"/> of training, then down to base / (<see cref="DivFactor"/> × <see cref="FinalDivFactor"/>).
/// </summary>
public sealed record OneCycle : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public OneCycle(double warmupShare = 0.3, double divFactor = 25, double finalDivFactor = 1e4)
    {
        if (!(warmupShare > 0 && warmupShare < 1)) throw new ArgumentException($"warmupShare must be in (0, 1); it is {warmupShare}.", nameof(warmupShare));
        if (!(divFactor >= 1)) throw new ArgumentException($"divFactor must be >= 1; it is {divFactor}.", nameof(divFactor));
        if (!(finalDivFactor >= 1)) throw new ArgumentException($"finalDivFactor must be >= 1; it is {finalDivFactor}.", nameof(finalDivFactor));
        (WarmupShare, DivFactor, FinalDivFactor) = (warmupShare, divFactor, finalDivFactor);
    }

    /// <summary>Share of training spent climbing to the peak.</summary>
    public double WarmupShare { get; }

    /// <summary>The start rate is the peak divided by this.</summary>
    public double DivFactor { get; }

    /// <summary>The final rate is the start rate divided by this.</summary>
    public double FinalDivFactor { get; }

    /// <inheritdoc />
    public double Factor(SchedulePosition position)
    {
        double start = 1 / DivFactor, end = start / FinalDivFactor, p = position.Progress;
        return p < WarmupShare
            ? Cosine(start, 1, p / WarmupShare)
            : Cosine(1, end, (p - WarmupShare) / (1 - WarmupShare));
    }

    static double Cosine(double from, double to, double t) => to + (from - to) * 0.5 * (1 + Math.Cos(Math.PI * t));
}
