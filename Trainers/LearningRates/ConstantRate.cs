namespace MLToolkit.Trainers.LearningRates;

/// <summary>Keeps the base learning rate throughout training.</summary>
public sealed record ConstantRate : ILearningRateSchedule
{
    /// <inheritdoc />
    public double Factor(SchedulePosition position) => 1.0;
}
