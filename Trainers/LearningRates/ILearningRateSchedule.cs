namespace MLToolkit.Trainers.LearningRates;

/// <summary>Where training stands when a learning rate is needed.</summary>
/// <param name="Epoch">The current epoch, 0-based.</param>
/// <param name="Batch">The current batch of the epoch, 0-based.</param>
/// <param name="BatchesPerEpoch">Batches in one epoch.</param>
/// <param name="Epochs">Epochs of the whole run.</param>
public readonly record struct SchedulePosition(int Epoch, int Batch, int BatchesPerEpoch, int Epochs)
{
    /// <summary>Epochs done, counting the fraction of the current one (0 at the first step).</summary>
    public double EpochsDone => Epoch + (double)Batch / BatchesPerEpoch;

    /// <summary>Share of the run done, in [0, 1).</summary>
    public double Progress => EpochsDone / Epochs;
}

/// <summary>
/// A learning-rate schedule: the factor applied to the optimizer's base learning rate at each
/// step. Schedules that only look at the position (step decay, cosine, one-cycle…) change the rate
/// per batch or per epoch as their formula says; a resumed run gets the same curve.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>The multiplier of the base learning rate at <paramref name="position"/>.</summary>
    double Factor(SchedulePosition position);
}

/// <summary>
/// A schedule that reacts to how training goes (reduce on plateau): told the monitored loss after
/// every epoch. Its state is part of a checkpoint.
/// </summary>
public interface IAdaptiveSchedule : ILearningRateSchedule
{
    /// <summary>Forgets what it has seen, before a new training run.</summary>
    void Reset();

    /// <summary>Called after each epoch with the validation loss (or the training loss without validation data).</summary>
    void OnEpochEnd(double monitoredLoss);

    /// <summary>The schedule's state, to save in a checkpoint.</summary>
    double[] GetState();

    /// <summary>Restores a state returned by <see cref="GetState"/>.</summary>
    void SetState(double[] state);
}
