using MLToolkit.Datasets.Detection;

namespace MLToolkit.Trainers.Detection;

/// <summary>One image's ground truth and detections, for <see cref="DetectionMetrics"/>.</summary>
/// <param name="Truth">The labelled boxes.</param>
/// <param name="Detections">The predicted boxes with scores.</param>
public sealed record ScoredImage(IReadOnlyList<LabeledBox> Truth, IReadOnlyList<DetectedBox> Detections);

/// <summary>
/// Detection metrics computed the standard ways, from all images together:
/// <list type="bullet">
/// <item><b>Pascal VOC AP at IoU 0.5</b> per class: detections of the class ranked by score over the whole test set;
/// each is a true positive when its best-overlapping ground truth of the class in its image has IoU ≥ 0.5 and was
/// not matched by a higher-scored detection (a second hit on it is a false positive); AP is the area under the
/// precision envelope at every recall step (all-point interpolation, VOC 2010 onwards). Boxes are continuous
/// (see <see cref="BoundingBox"/>): the VOC devkit's "+1 pixel" in widths is not used.</item>
/// <item><b>COCO mAP</b>: the same ranking per class, at most 100 detections per image and class (COCO's maxDets),
/// at each IoU threshold 0.50, 0.55 … 0.95, a detection matched to the unmatched ground truth of its class with the
/// highest IoU above the threshold; precision made non-increasing, read at 101 recall points 0, 0.01 … 1 (0 where a
/// recall is never reached) and averaged; mAP averages over thresholds and classes.</item>
/// </list>
/// Classes without ground truth in the test set are left out of the means (as both toolkits do).
/// </summary>
/// <param name="VocAP50PerClass">VOC AP at IoU 0.5 per class (NaN for a class without ground truth).</param>
/// <param name="CocoAPPerClass">COCO AP (mean over the ten IoU thresholds) per class (NaN without ground truth).</param>
/// <param name="CocoAP50">COCO-style AP at IoU 0.5 (101-point), mean over classes.</param>
/// <param name="CocoAP75">COCO-style AP at IoU 0.75, mean over classes.</param>
public sealed record DetectionMetrics(IReadOnlyList<double> VocAP50PerClass, IReadOnlyList<double> CocoAPPerClass, double CocoAP50, double CocoAP75)
{
    /// <summary>Mean VOC AP at IoU 0.5 over the classes with ground truth.</summary>
    public double VocMeanAP50 => MeanOf(VocAP50PerClass);

    /// <summary>COCO mAP (IoU 0.50:0.05:0.95) over the classes with ground truth.</summary>
    public double CocoMeanAP => MeanOf(CocoAPPerClass);

    static double MeanOf(IEnumerable<double> values) => values.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();

    /// <summary>The IoU thresholds of COCO's mAP.</summary>
    public static readonly IReadOnlyList<double> CocoThresholds = Enumerable.Range(0, 10).Select(i => 0.5 + 0.05 * i).ToArray();

    /// <summary>Computes the metrics of <paramref name="images"/> for <paramref name="classes"/> classes.</summary>
    public static DetectionMetrics Evaluate(IReadOnlyList<ScoredImage> images, int classes)
    {
        var voc = new double[classes];
        var coco = new double[classes];
        var cocoPerThreshold = new double[classes, CocoThresholds.Count];
        for (int c = 0; c < classes; c++)
        {
            voc[c] = Precisions(images, c, 0.5, maxPerImage: int.MaxValue, greedyBestUnmatched: false) is { } vocCurve ? AllPointAP(vocCurve) : double.NaN;
            for (int t = 0; t < CocoThresholds.Count; t++)
                cocoPerThreshold[c, t] = Precisions(images, c, CocoThresholds[t], maxPerImage: 100, greedyBestUnmatched: true) is { } curve ? HundredAndOnePointAP(curve) : double.NaN;
            coco[c] = Enumerable.Range(0, CocoThresholds.Count).Select(t => cocoPerThreshold[c, t]).Average();
        }
        double MeanAt(int t) => Enumerable.Range(0, classes).Select(c => cocoPerThreshold[c, t]).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average();
        return new DetectionMetrics(voc, coco, MeanAt(0), MeanAt(5));
    }

    /// <summary>
    /// Recall and precision after each detection of class <paramref name="label"/>, ranked by score over all images;
    /// null when the class has no ground truth.
    /// </summary>
    static (double[] Recall, double[] Precision)? Precisions(IReadOnlyList<ScoredImage> images, int label, double threshold, int maxPerImage, bool greedyBestUnmatched)
    {
        var truths = images.Select(i => i.Truth.Where(t => t.Label == label).Select(t => t.Box).ToArray()).ToArray();
        int positives = truths.Sum(t => t.Length);
        if (positives == 0) return null;
        // Stable ranking: by score, then by image and position, so equal scores rank the same way every run.
        var ranked = images.SelectMany((image, i) => image.Detections.Where(d => d.Label == label).OrderByDescending(d => d.Score)
                .Take(maxPerImage).Select((d, k) => (Image: i, Order: k, d.Box, d.Score)))
            .OrderByDescending(d => d.Score).ThenBy(d => d.Image).ThenBy(d => d.Order).ToArray();
        var matched = truths.Select(t => new bool[t.Length]).ToArray();
        var recall = new double[ranked.Length];
        var precision = new double[ranked.Length];
        int truePositives = 0;
        for (int k = 0; k < ranked.Length; k++)
        {
            var (image, _, box, _) = ranked[k];
            int match = greedyBestUnmatched ? BestUnmatched(truths[image], matched[image], box, threshold) : BestOverall(truths[image], matched[image], box, threshold);
            if (match >= 0) { matched[image][match] = true; truePositives++; }
            recall[k] = (double)truePositives / positives;
            precision[k] = (double)truePositives / (k + 1);
        }
        return (recall, precision);
    }

    /// <summary>VOC: the ground truth with the highest IoU; a hit only if that one is free and IoU ≥ threshold.</summary>
    static int BestOverall(BoundingBox[] truths, bool[] matched, BoundingBox box, double threshold)
    {
        int best = -1;
        double bestIoU = -1;
        for (int g = 0; g < truths.Length; g++)
        {
            double iou = truths[g].IoU(box);
            if (iou > bestIoU) (best, bestIoU) = (g, iou);
        }
        return best >= 0 && bestIoU >= threshold && !matched[best] ? best : -1;
    }

    /// <summary>COCO: the free ground truth with the highest IoU at or above the threshold.</summary>
    static int BestUnmatched(BoundingBox[] truths, bool[] matched, BoundingBox box, double threshold)
    {
        int best = -1;
        double bestIoU = threshold;
        for (int g = 0; g < truths.Length; g++)
        {
            if (matched[g]) continue;
            double iou = truths[g].IoU(box);
            // pycocotools keeps a candidate when iou >= the best so far, starting at the threshold (minus a hair).
            if (iou >= bestIoU - 1e-10) (best, bestIoU) = (g, iou);
        }
        return best;
    }

    /// <summary>VOC's all-point interpolated AP: Σ over recall steps of (Δ recall) × (the best precision at that recall or beyond).</summary>
    static double AllPointAP((double[] Recall, double[] Precision) curve)
    {
        var (recall, precision) = curve;
        var envelope = Envelope(precision);
        double ap = 0, previous = 0;
        for (int k = 0; k < recall.Length; k++)
        {
            ap += (recall[k] - previous) * envelope[k];
            previous = recall[k];
        }
        return ap;
    }

    /// <summary>COCO's AP: the precision envelope read at recall 0, 0.01 … 1 (first rank reaching it; 0 if none), averaged.</summary>
    static double HundredAndOnePointAP((double[] Recall, double[] Precision) curve)
    {
        var (recall, precision) = curve;
        var envelope = Envelope(precision);
        double sum = 0;
        for (int r = 0; r <= 100; r++)
        {
            double wanted = r / 100.0;
            int k = Array.FindIndex(recall, v => v >= wanted - 1e-12);
            sum += k >= 0 ? envelope[k] : 0;
        }
        return sum / 101;
    }

    /// <summary>Precision made non-increasing from the right: each entry the best precision at that rank or later.</summary>
    static double[] Envelope(double[] precision)
    {
        var envelope = (double[])precision.Clone();
        for (int k = envelope.Length - 2; k >= 0; k--) envelope[k] = Math.Max(envelope[k], envelope[k + 1]);
        return envelope;
    }
}
