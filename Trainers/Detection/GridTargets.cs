using MLToolkit.Datasets.Detection;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Detection;

/// <summary>
/// The YOLO-style grid encoding (Redmon et al., "You Only Look Once"): the image is divided into cells of
/// <c>stride</c> pixels and the cell holding an object's centre is responsible for it. Per cell the network gives
/// 5 + classes numbers: objectness (logit), the centre's offset inside the cell (two logits, through a sigmoid),
/// the box's width and height (log of the size in cells) and one logit per class. Targets use the same layout:
/// objectness 1 or 0, the offsets in [0, 1), the log sizes and the class index; one object per cell (the first
/// listed keeps a cell two centres share, which the generated scenes make rare).
/// </summary>
public static class GridTargets
{
    /// <summary>Target channels per cell: objectness, x offset, y offset, log width, log height, class.</summary>
    public const int TargetChannels = 6;

    /// <summary>Network output channels per cell for <paramref name="classes"/> classes.</summary>
    public static int OutputChannels(int classes) => 5 + classes;

    /// <summary>The targets of one image of <paramref name="width"/>×<paramref name="height"/> pixels: 6 × rows × columns floats, channel-major.</summary>
    public static float[] Encode(IReadOnlyList<LabeledBox> objects, int width, int height, int stride)
    {
        int columns = width / stride, rows = height / stride, plane = rows * columns;
        var targets = new float[TargetChannels * plane];
        foreach (var o in objects)
        {
            float cx = (o.Box.XMin + o.Box.XMax) / 2 / stride, cy = (o.Box.YMin + o.Box.YMax) / 2 / stride;
            int column = Math.Clamp((int)cx, 0, columns - 1), row = Math.Clamp((int)cy, 0, rows - 1), cell = row * columns + column;
            if (targets[cell] != 0) continue;
            targets[cell] = 1;
            targets[plane + cell] = cx - column;
            targets[2 * plane + cell] = cy - row;
            targets[3 * plane + cell] = MathF.Log(o.Box.Width / stride);
            targets[4 * plane + cell] = MathF.Log(o.Box.Height / stride);
            targets[5 * plane + cell] = o.Label;
        }
        return targets;
    }

    /// <summary>The boxes a batch of targets (N × 6 × rows × columns) encodes, image by image: the inverse of <see cref="Encode"/>.</summary>
    public static IReadOnlyList<LabeledBox>[] Boxes(Tensor targets, int stride)
    {
        using var cpu = targets.detach().cpu().contiguous();
        var values = cpu.data<float>().ToArray();
        long n = cpu.shape[0], rows = cpu.shape[2], columns = cpu.shape[3], plane = rows * columns;
        var result = new IReadOnlyList<LabeledBox>[n];
        for (long i = 0; i < n; i++)
        {
            long start = i * TargetChannels * plane;
            var boxes = new List<LabeledBox>();
            for (long cell = 0; cell < plane; cell++)
            {
                if (values[start + cell] < 0.5f) continue;
                float cx = (cell % columns + values[start + plane + cell]) * stride, cy = (cell / columns + values[start + 2 * plane + cell]) * stride;
                float w = MathF.Exp(values[start + 3 * plane + cell]) * stride, h = MathF.Exp(values[start + 4 * plane + cell]) * stride;
                boxes.Add(new LabeledBox((int)values[start + 5 * plane + cell], new BoundingBox(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)));
            }
            result[i] = boxes;
        }
        return result;
    }

    /// <summary>
    /// The detections of a batch of network outputs (N × (5 + classes) × rows × columns): per cell the most probable
    /// class, scored objectness × class probability; those of at least <paramref name="minScore"/> go through
    /// class-wise non-maximum suppression.
    /// </summary>
    public static IReadOnlyList<DetectedBox>[] Decode(Tensor outputs, int stride, float minScore = 0.05f, float iouThreshold = 0.5f, int maxDetections = 100)
    {
        using var scope = NewDisposeScope();
        using var cpu = outputs.detach().cpu();
        long n = cpu.shape[0], rows = cpu.shape[2], columns = cpu.shape[3];
        var objectness = cpu.select(1, 0).sigmoid();
        var offsets = cpu.narrow(1, 1, 2).sigmoid();
        var sizes = cpu.narrow(1, 3, 2).clamp(-10, 10).exp();
        var (best, label) = cpu.narrow(1, 5, cpu.shape[1] - 5).softmax(1).max(1);
        var score = (objectness * best).contiguous().data<float>().ToArray();
        var labels = label.contiguous().data<long>().ToArray();
        var offset = offsets.contiguous().data<float>().ToArray();
        var size = sizes.contiguous().data<float>().ToArray();
        long plane = rows * columns;
        var result = new IReadOnlyList<DetectedBox>[n];
        for (long i = 0; i < n; i++)
        {
            var candidates = new List<DetectedBox>();
            for (long cell = 0; cell < plane; cell++)
            {
                float s = score[i * plane + cell];
                if (s < minScore) continue;
                long row = cell / columns, column = cell % columns;
                float cx = (column + offset[(i * 2) * plane + cell]) * stride, cy = (row + offset[(i * 2 + 1) * plane + cell]) * stride;
                float w = size[(i * 2) * plane + cell] * stride, h = size[(i * 2 + 1) * plane + cell] * stride;
                candidates.Add(new DetectedBox((int)labels[i * plane + cell], new BoundingBox(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), s));
            }
            result[i] = NonMaxSuppression.Apply(candidates, iouThreshold, maxDetections);
        }
        return result;
    }
}
