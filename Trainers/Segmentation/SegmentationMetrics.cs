using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLToolkit.Trainers.Segmentation;

/// <summary>
/// The standard metrics of semantic segmentation (as in Long et al. and the Pascal VOC and Cityscapes
/// benchmarks), all from one confusion matrix accumulated over every pixel of the whole test set — not
/// averaged per image — with "ignore" pixels (255) left out. Rows are true classes, columns predicted ones.
/// </summary>
public sealed class SegmentationMetrics
{
    SegmentationMetrics(long[][] confusion)
    {
        ConfusionMatrix = confusion;
        int classes = confusion.Length;
        long total = 0, correct = 0;
        var iou = new double[classes];
        var accuracy = new double[classes];
        for (int c = 0; c < classes; c++)
        {
            long truth = confusion[c].Sum(), predicted = confusion.Sum(row => row[c]), hit = confusion[c][c];
            total += truth;
            correct += hit;
            long union = truth + predicted - hit;
            // A class neither present nor predicted has no IoU: it is left out of the mean (NaN), not counted as 0 or 1.
            iou[c] = union == 0 ? double.NaN : (double)hit / union;
            accuracy[c] = truth == 0 ? double.NaN : (double)hit / truth;
        }
        Pixels = total;
        PixelAccuracy = total == 0 ? double.NaN : (double)correct / total;
        PerClassIoU = iou;
        PerClassAccuracy = accuracy;
        MeanIoU = NanMean(iou);
        MeanClassAccuracy = NanMean(accuracy);
    }

    /// <summary>Pixel counts: [true class][predicted class], ignored pixels excluded.</summary>
    public IReadOnlyList<long[]> ConfusionMatrix { get; }

    /// <summary>Pixels counted (not ignored).</summary>
    public long Pixels { get; }

    /// <summary>Share of counted pixels whose class is right.</summary>
    public double PixelAccuracy { get; }

    /// <summary>Mean over classes present in the truth of the share of their pixels found (mean class accuracy).</summary>
    public double MeanClassAccuracy { get; }

    /// <summary>Per class, of the pixels truly of it, the share predicted as it (NaN where the class is absent).</summary>
    public IReadOnlyList<double> PerClassAccuracy { get; }

    /// <summary>Per class: intersection over union, TP / (TP + FP + FN) (NaN where the class is neither present nor predicted).</summary>
    public IReadOnlyList<double> PerClassIoU { get; }

    /// <summary>Mean of the per-class IoU over the classes that have one.</summary>
    public double MeanIoU { get; }

    /// <summary>The metrics of a confusion matrix ([true][predicted] pixel counts).</summary>
    /// <exception cref="ArgumentException">The matrix is not square.</exception>
    public static SegmentationMetrics FromConfusion(IReadOnlyList<long[]> confusion)
    {
        if (confusion.Count == 0 || confusion.Any(r => r.Length != confusion.Count))
            throw new ArgumentException("A confusion matrix must be square with at least one class.", nameof(confusion));
        return new SegmentationMetrics(confusion.Select(r => r.ToArray()).ToArray());
    }

    /// <summary>The metrics of true and predicted masks (any number of pixels, any number of images, concatenated).</summary>
    public static SegmentationMetrics FromMasks(IEnumerable<(uint[] Truth, uint[] Predicted)> masks, int classes)
    {
        var confusion = NewMatrix(classes);
        foreach (var (truth, predicted) in masks) Accumulate(confusion, truth, predicted, classes);
        return new SegmentationMetrics(confusion);
    }

    /// <summary>
    /// Reads the true masks of <paramref name="maskColumn"/> and the predictions of <paramref name="predictedColumn"/>
    /// of every row of <paramref name="data"/> (a model's output) into one confusion matrix.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing, masks differ in size, or a class is out of range.</exception>
    public static SegmentationMetrics Evaluate(IDataView data, int classes, string maskColumn = Datasets.Segmentation.SegmentationData.Mask,
        string predictedColumn = "PredictedMask")
    {
        var truthColumn = data.Schema.GetColumnOrNull(maskColumn) ?? throw new ArgumentException($"The data has no mask column '{maskColumn}'.");
        var predicted = data.Schema.GetColumnOrNull(predictedColumn) ?? throw new ArgumentException($"The data has no predicted mask column '{predictedColumn}'; score it with a segmentation model first.");
        var confusion = NewMatrix(classes);
        using var cursor = data.GetRowCursor(new[] { truthColumn, predicted });
        var getTruth = cursor.GetGetter<VBuffer<uint>>(truthColumn);
        var getPredicted = cursor.GetGetter<VBuffer<uint>>(predicted);
        VBuffer<uint> truth = default, prediction = default;
        while (cursor.MoveNext())
        {
            getTruth(ref truth);
            getPredicted(ref prediction);
            Accumulate(confusion, truth.DenseValues().ToArray(), prediction.DenseValues().ToArray(), classes);
        }
        return new SegmentationMetrics(confusion);
    }

    static long[][] NewMatrix(int classes) =>
        classes >= 1 ? Enumerable.Range(0, classes).Select(_ => new long[classes]).ToArray() : throw new ArgumentException("At least one class is needed.");

    static void Accumulate(long[][] confusion, uint[] truth, uint[] predicted, int classes)
    {
        if (truth.Length != predicted.Length)
            throw new ArgumentException($"A true mask has {truth.Length} pixels but its prediction {predicted.Length}.");
        for (int p = 0; p < truth.Length; p++)
        {
            uint t = truth[p];
            if (t == Datasets.Segmentation.SegmentationData.Ignore) continue;
            if (t >= classes || predicted[p] >= classes)
                throw new ArgumentException($"Class {Math.Max(t, predicted[p])} at pixel {p} is out of range (classes 0–{classes - 1}, 255 ignored).");
            confusion[t][predicted[p]]++;
        }
    }

    static double NanMean(IEnumerable<double> values)
    {
        var present = values.Where(v => !double.IsNaN(v)).ToArray();
        return present.Length == 0 ? double.NaN : present.Average();
    }
}
