using MLToolkit.Trainers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Detection;

/// <summary>
/// The loss of the grid detector (see <see cref="GridTargets"/>), YOLO's terms with a sigmoid on objectness:
/// binary cross-entropy of objectness on every cell (cells without an object weighted by <c>NoObjectWeight</c>, as
/// they outnumber the others a hundred to one), and on the cells responsible for an object the squared error of
/// the centre offsets and log sizes (weighted by <c>BoxWeight</c>) and the cross-entropy of the class; summed over
/// cells, averaged over images.
/// </summary>
internal sealed class DetectionTask(BoxAugmentation? augmentation, int stride) : ITrainingTask
{
    const double BoxWeight = 5, NoObjectWeight = 0.5;

    /// <inheritdoc />
    public Tensor Criterion(Tensor outputs, Tensor targets, double labelSmoothing)
    {
        long images = outputs.shape[0];
        var present = targets.select(1, 0);
        var positive = present.gt(0.5);
        var objectness = nn.functional.binary_cross_entropy_with_logits(outputs.select(1, 0), present, reduction: nn.Reduction.None);
        var weights = present + (1 - present) * NoObjectWeight;
        var loss = (objectness * weights).sum();
        if (positive.any().item<bool>())
        {
            // Cell-major rows of the responsible cells: N × C × H × W → (N·H·W) × C, then the positive rows.
            var outputRows = outputs.permute(0, 2, 3, 1).reshape(-1, outputs.shape[1])[positive.reshape(-1)];
            var targetRows = targets.permute(0, 2, 3, 1).reshape(-1, targets.shape[1])[positive.reshape(-1)];
            var centres = nn.functional.mse_loss(outputRows.narrow(1, 1, 2).sigmoid(), targetRows.narrow(1, 1, 2), nn.Reduction.Sum);
            var sizes = nn.functional.mse_loss(outputRows.narrow(1, 3, 2), targetRows.narrow(1, 3, 2), nn.Reduction.Sum);
            var classes = nn.functional.cross_entropy(outputRows.narrow(1, 5, outputRows.shape[1] - 5), targetRows.select(1, 5).to(ScalarType.Int64),
                reduction: nn.Reduction.Sum, label_smoothing: labelSmoothing);
            loss = loss + BoxWeight * (centres + sizes) + classes;
        }
        return loss / images;
    }

    /// <summary>Objects found: responsible cells whose objectness is positive and whose class is right, out of all objects.</summary>
    public (long Correct, long Counted) Hits(Tensor outputs, Tensor targets)
    {
        var positive = targets.select(1, 0).gt(0.5);
        var found = outputs.select(1, 0).gt(0) & outputs.narrow(1, 5, outputs.shape[1] - 5).argmax(1).eq(targets.select(1, 5).to(ScalarType.Int64));
        return ((found & positive).sum().item<long>(), positive.sum().item<long>());
    }

    /// <inheritdoc />
    public (Tensor Images, Tensor Targets) Augment(Tensor images, Tensor targets, Generator draws) =>
        augmentation is null ? (images, targets) : augmentation.Apply(images, targets, stride, draws);

    /// <inheritdoc />
    public string? AugmentationDescription => augmentation?.ToString();
}
