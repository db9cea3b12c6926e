using MLToolkit.Datasets.Detection;
using MLToolkit.Trainers.Detection;

namespace MLToolkit.UnitTests.Detection;

/// <summary>VOC AP50 and COCO mAP on examples worked by hand, and class-wise non-maximum suppression.</summary>
public class DetectionMetricsTests
{
    static BoundingBox Box(float x0, float y0, float x1, float y1) => new(x0, y0, x1, y1);
    static LabeledBox Truth(int label, BoundingBox box) => new(label, box);
    static DetectedBox Found(int label, BoundingBox box, float score) => new(label, box, score);

    [Fact]
    public void A_duplicate_is_a_false_positive_ranked_between_two_hits()
    {
        // Two objects; detections at .9 (object 1), .8 (object 1 again), .7 (object 2): precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1.
        var a = Box(0, 0, 10, 10);
        var b = Box(20, 20, 30, 30);
        var images = new[] { new ScoredImage([Truth(0, a), Truth(0, b)], [Found(0, a, 0.9f), Found(0, a, 0.8f), Found(0, b, 0.7f)]) };
        var metrics = DetectionMetrics.Evaluate(images, classes: 1);
        // VOC all points: recall 0→1/2 at the envelope's 1, 1/2→1 at 2/3: 0.5 + 0.5 · 2/3.
        Assert.Equal(0.5 + 0.5 * 2 / 3.0, metrics.VocMeanAP50, 9);
        // COCO: recall points 0 … 0.50 (51 of them) read 1, 0.51 … 1 (50) read 2/3; the boxes are exact, so every IoU threshold agrees.
        Assert.Equal((51 + 50 * 2 / 3.0) / 101, metrics.CocoMeanAP, 9);
        Assert.Equal(metrics.CocoMeanAP, metrics.CocoAP50, 9);
    }

    [Fact]
    public void In_a_crowd_VOC_takes_the_best_overlap_and_COCO_the_best_free_one()
    {
        // Objects A and B overlap (IoU 2/3). The first detection is A exactly; the second overlaps A by .905 and B by .739.
        var a = Box(0, 0, 10, 10);
        var b = Box(2, 0, 12, 10);
        var second = Box(0.5f, 0, 10.5f, 10);
        Assert.Equal(95 / 105f, a.IoU(second), 5);
        Assert.Equal(85 / 115f, b.IoU(second), 5);
        var images = new[] { new ScoredImage([Truth(3, a), Truth(3, b)], [Found(3, a, 0.9f), Found(3, second, 0.8f)]) };
        var metrics = DetectionMetrics.Evaluate(images, classes: 5);
        // VOC: the second's best overlap is A, already taken: a false positive. Recall 1/2 at precision 1: AP 0.5.
        Assert.Equal(0.5, metrics.VocAP50PerClass[3], 9);
        // COCO: B is free and overlaps .739: a hit at thresholds .50–.70 (AP 1), a miss from .75 (AP 51/101).
        Assert.Equal(1.0, metrics.CocoAP50, 9);
        Assert.Equal(51 / 101.0, metrics.CocoAP75, 9);
        Assert.Equal((5 * 1.0 + 5 * 51 / 101.0) / 10, metrics.CocoMeanAP, 9);
        // Classes without ground truth count for nothing.
        Assert.True(double.IsNaN(metrics.VocAP50PerClass[0]));
        Assert.Equal(0.5, metrics.VocMeanAP50, 9);
    }

    [Fact]
    public void Detections_are_ranked_over_the_whole_test_set_not_per_image()
    {
        // Image 1: a miss at .9; image 2: a hit at .8. Ranked together: FP then TP, precision 1/2 at recall 1.
        var a = Box(0, 0, 10, 10);
        var images = new[]
        {
            new ScoredImage([Truth(0, a)], [Found(0, Box(50, 50, 60, 60), 0.9f)]),
            new ScoredImage([Truth(0, a)], [Found(0, a, 0.8f)]),
        };
        var metrics = DetectionMetrics.Evaluate(images, classes: 1);
        Assert.Equal(0.5 * 0.5, metrics.VocMeanAP50, 9); // recall 1/2 reached at precision 1/2
    }

    [Fact]
    public void COCO_reads_at_most_100_detections_per_image_and_class()
    {
        // 150 wrong boxes outscore the one right box: VOC ranks it 151st, COCO never sees it.
        var a = Box(0, 0, 10, 10);
        var wrong = Enumerable.Range(0, 150).Select(i => Found(0, Box(100 + i, 100, 110 + i, 110), 0.9f - i * 0.001f));
        var images = new[] { new ScoredImage([Truth(0, a)], [.. wrong, Found(0, a, 0.1f)]) };
        var metrics = DetectionMetrics.Evaluate(images, classes: 1);
        Assert.Equal(1 / 151.0, metrics.VocMeanAP50, 9);
        Assert.Equal(0.0, metrics.CocoMeanAP, 9);
    }

    [Fact]
    public void A_wrong_class_does_not_match_and_perfect_detections_score_one()
    {
        var a = Box(0, 0, 10, 10);
        var wrongClass = DetectionMetrics.Evaluate([new ScoredImage([Truth(1, a)], [Found(2, a, 0.9f)])], classes: 3);
        Assert.Equal(0.0, wrongClass.VocMeanAP50, 9);
        var perfect = DetectionMetrics.Evaluate([new ScoredImage([Truth(1, a), Truth(2, Box(20, 0, 30, 10))], [Found(1, a, 0.5f), Found(2, Box(20, 0, 30, 10), 0.6f)])], classes: 3);
        Assert.Equal(1.0, perfect.VocMeanAP50, 9);
        Assert.Equal(1.0, perfect.CocoMeanAP, 9);
    }

    [Fact]
    public void Non_maximum_suppression_drops_overlaps_within_a_class_only()
    {
        var a = Box(0, 0, 10, 10);
        var nearA = Box(1, 0, 11, 10); // IoU 90/110 = .818 with a
        var farther = Box(5, 0, 15, 10); // IoU 50/150 = .333 with a
        var kept = NonMaxSuppression.Apply([Found(0, nearA, 0.7f), Found(0, a, 0.9f), Found(1, nearA, 0.8f), Found(0, farther, 0.6f)], iouThreshold: 0.5f);
        Assert.Equal([0.9f, 0.8f, 0.6f], kept.Select(d => d.Score));
        Assert.Equal([0, 1, 0], kept.Select(d => d.Label));
        // At a threshold above .818 the near box stays too; the cap keeps the best.
        Assert.Equal(4, NonMaxSuppression.Apply([Found(0, nearA, 0.7f), Found(0, a, 0.9f), Found(1, nearA, 0.8f), Found(0, farther, 0.6f)], iouThreshold: 0.85f).Count);
        Assert.Equal([0.9f, 0.8f], NonMaxSuppression.Apply([Found(0, nearA, 0.7f), Found(0, a, 0.9f), Found(1, nearA, 0.8f)], 0.85f, maxDetections: 2).Select(d => d.Score));
    }
}
