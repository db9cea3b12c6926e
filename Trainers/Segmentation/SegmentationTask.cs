using MLToolkit.Trainers.Augmentation;
using MLToolkit.Trainers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Segmentation;

/// <summary>Per-pixel classification: masks as targets, 255 ignored by the criterion and the hits, image and mask augmented together.</summary>
internal sealed class SegmentationTask(SceneAugmentation? augmentation) : ITrainingTask
{
    const long Ignore = 255;

    /// <inheritdoc />
    public Tensor Criterion(Tensor logits, Tensor targets, double labelSmoothing) =>
        nn.functional.cross_entropy(logits, targets, ignore_index: Ignore, label_smoothing: labelSmoothing);

    /// <inheritdoc />
    public (long Correct, long Counted) Hits(Tensor logits, Tensor targets)
    {
        using var scope = torch.NewDisposeScope();
        var counted = targets.ne(Ignore);
        return (logits.argmax(1).eq(targets).logical_and(counted).sum().item<long>(), counted.sum().item<long>());
    }

    /// <inheritdoc />
    public (Tensor Images, Tensor Targets) Augment(Tensor images, Tensor targets, Generator draws) =>
        augmentation is null ? (images, targets) : augmentation.Apply(images, targets, draws);

    /// <inheritdoc />
    public string? AugmentationDescription => augmentation?.ToString();
}
