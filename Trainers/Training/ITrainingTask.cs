using static TorchSharp.torch;

namespace MLToolkit.Trainers.Training;

/// <summary>
/// What makes one kind of training differ from another inside the shared loop: what a target is, the
/// criterion, what counts as a hit, and how augmentation moves targets with the images.
/// Classification targets are class indices (N); segmentation targets are masks (N × H × W).
/// </summary>
internal interface ITrainingTask
{
    /// <summary>The criterion of the main output against <paramref name="targets"/>.</summary>
    Tensor Criterion(Tensor logits, Tensor targets, double labelSmoothing);

    /// <summary>Correct predictions and how many were counted (images, or pixels not ignored).</summary>
    (long Correct, long Counted) Hits(Tensor logits, Tensor targets);

    /// <summary>A training batch augmented, targets moved with their images; unchanged without augmentation.</summary>
    (Tensor Images, Tensor Targets) Augment(Tensor images, Tensor targets, Generator draws);

    /// <summary>The augmentation for the checkpoint's fingerprint, as text; null when there is none.</summary>
    string? AugmentationDescription { get; }
}

/// <summary>One class per image; the augmentation policy (from <c>ml.Transforms.Augment</c>) moves images only.</summary>
internal sealed class ClassificationTask(Augmentation.AugmentationPolicy? policy) : ITrainingTask
{
    /// <inheritdoc />
    public Tensor Criterion(Tensor logits, Tensor targets, double labelSmoothing) =>
        nn.functional.cross_entropy(logits, targets, label_smoothing: labelSmoothing);

    /// <inheritdoc />
    public (long Correct, long Counted) Hits(Tensor logits, Tensor targets) => (logits.argmax(1).eq(targets).sum().item<long>(), targets.shape[0]);

    /// <inheritdoc />
    public (Tensor Images, Tensor Targets) Augment(Tensor images, Tensor targets, Generator draws) =>
        (policy is null ? images : policy.Apply(images, draws), targets);

    /// <inheritdoc />
    public string? AugmentationDescription => policy?.ToJson();
}
