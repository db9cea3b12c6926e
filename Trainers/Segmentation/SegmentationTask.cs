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
        nn.functional.cross_entropy(logits, Widened(targets), ignore_index: Ignore, label_smoothing: labelSmoothing);

    /// <inheritdoc />
    public (long Correct, long Counted) Hits(Tensor logits, Tensor targets)
    {
        using var scope = torch.NewDisposeScope();
        var counted = targets.ne(Ignore);
        return (logits.argmax(1).eq(Widened(targets)).logical_and(counted).sum().item<long>(), counted.sum().item<long>());
    }

    /// <inheritdoc />
    public (Tensor Images, Tensor Targets) Augment(Tensor images, Tensor targets, Generator draws) =>
        augmentation is null ? (images, Widened(targets)) : augmentation.Apply(images, Widened(targets), draws);

    /// <summary>Masks are kept as bytes (see TensorDataset.FromMasks); the loss and the augmentation's arithmetic need int64.</summary>
    static Tensor Widened(Tensor targets) => targets.dtype == ScalarType.Int64 ? targets : targets.to(ScalarType.Int64);

    /// <inheritdoc />
    public string? AugmentationDescription => augmentation?.ToString();
}
