namespace MLToolkit.Trainers.Training;

/// <summary>
/// Hooks into the training loop (as Keras callbacks or Lightning callbacks do). Every method has
/// an empty default, so a callback implements only what it needs.
/// </summary>
public interface ITrainingCallback
{
    /// <summary>Called after each optimizer step.</summary>
    void OnBatchEnd(TrainingProgress progress) { }

    /// <summary>Called after each epoch with its progress and summary.</summary>
    void OnEpochEnd(TrainingProgress progress, EpochSummary summary) { }
}

/// <summary>Forwards progress to delegates; handy for a console or UI display.</summary>
/// <param name="onBatch">Called after each batch (may be null).</param>
/// <param name="onEpoch">Called after each epoch (may be null).</param>
public sealed class ProgressCallback(Action<TrainingProgress>? onBatch = null, Action<TrainingProgress, EpochSummary>? onEpoch = null)
    : ITrainingCallback
{
    /// <inheritdoc />
    public void OnBatchEnd(TrainingProgress progress) => onBatch?.Invoke(progress);

    /// <inheritdoc />
    public void OnEpochEnd(TrainingProgress progress, EpochSummary summary) => onEpoch?.Invoke(progress, summary);
}
