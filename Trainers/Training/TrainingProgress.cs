namespace MLToolkit.Trainers.Training;

/// <summary>A snapshot of a training run, reported after each batch and each epoch.</summary>
/// <param name="Epoch">The current epoch, 1-based.</param>
/// <param name="Epochs">Total epochs of the run.</param>
/// <param name="Batch">Batches done in the current epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Loss">Mean training loss over the epoch so far.</param>
/// <param name="Accuracy">Training accuracy over the epoch so far (on augmented batches, in training mode).</param>
/// <param name="LearningRate">The learning rate of the last step.</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="Remaining">Estimated time until this model's training ends (for an ensemble member, the member's; see <see cref="TrainingProgress.EnsembleRemaining"/>).</param>
/// <param name="ImagesPerSecond">Training throughput of the current epoch.</param>
/// <param name="Model">Which model of a run that trains several (an ensemble): 1-based index and count.</param>
public sealed record TrainingProgress(
    int Epoch, int Epochs, int Batch, int Batches,
    double Loss, double Accuracy, double LearningRate,
    TimeSpan Elapsed, TimeSpan Remaining, double ImagesPerSecond,
    (int Index, int Count) Model)
{
    /// <summary>
    /// For a member of an ensemble, the estimated time until the whole ensemble is trained (the members still to
    /// come included); null for a model trained alone, whose <see cref="Remaining"/> is the whole fit.
    /// </summary>
    public TimeSpan? EnsembleRemaining { get; init; }
}

/// <summary>The outcome of one epoch, kept in the fitted model's history.</summary>
/// <param name="Epoch">The epoch, 1-based.</param>
/// <param name="Loss">Mean training loss.</param>
/// <param name="Accuracy">Training accuracy.</param>
/// <param name="LearningRate">Learning rate at the epoch's last step.</param>
/// <param name="Seconds">Wall time of the epoch.</param>
/// <param name="WorkingSetMegabytes">Process working set at the end of the epoch (shows that memory stays flat).</param>
/// <param name="ValidationLoss">Mean loss on the validation data, when there is some.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation data, when there is some.</param>
public sealed record EpochSummary(int Epoch, double Loss, double Accuracy, double LearningRate, double Seconds,
    double WorkingSetMegabytes, double? ValidationLoss = null, double? ValidationAccuracy = null);
