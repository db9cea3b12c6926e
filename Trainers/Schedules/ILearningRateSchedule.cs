namespace MLToolkit.Trainers.Schedules;

/// <summary>
/// A learning-rate schedule: the factor applied to the optimizer's base learning rate at a point
/// of training. Stateless schedules compute it from the position alone, so a resumed run gets
/// the same curve.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>
    /// The multiplier of the base learning rate for the batch <paramref name="batch"/> (0-based)
    /// of epoch <paramref name="epoch"/> (0-based), with <paramref name="batchesPerEpoch"/> batches per epoch.
    /// </summary>
    double Factor(int epoch, int batch, int batchesPerEpoch);
}
