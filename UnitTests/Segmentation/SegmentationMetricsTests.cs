using MLToolkit.Trainers.Segmentation;

namespace MLToolkit.UnitTests.Segmentation;

/// <summary>The metrics on examples worked by hand.</summary>
public class SegmentationMetricsTests
{
    [Fact]
    public void A_worked_example_of_three_classes_over_two_images()
    {
        // Image 1: truth 0 0 1 1, predicted 0 1 1 1.  Image 2: truth 2 2 0 255, predicted 2 0 0 1 (the 255 pixel is ignored).
        var metrics = SegmentationMetrics.FromMasks([([0, 0, 1, 1], [0, 1, 1, 1]), ([2, 2, 0, 255], [2, 0, 0, 1])], classes: 3);
        // Confusion [true][predicted]: class 0: 2 right, 1 as class 1; class 1: 2 right; class 2: 1 right, 1 as class 0.
        Assert.Equal(new long[] { 2, 1, 0 }, metrics.ConfusionMatrix[0]);
        Assert.Equal(new long[] { 0, 2, 0 }, metrics.ConfusionMatrix[1]);
        Assert.Equal(new long[] { 1, 0, 1 }, metrics.ConfusionMatrix[2]);
        Assert.Equal(7, metrics.Pixels);
        Assert.Equal(5 / 7.0, metrics.PixelAccuracy, 12);
        Assert.Equal((2 / 3.0 + 1 + 1 / 2.0) / 3, metrics.MeanClassAccuracy, 12);
        // IoU = TP / (TP + FP + FN): class 0: 2 / (3 + 3 - 2); class 1: 2 / (2 + 3 - 2); class 2: 1 / (2 + 1 - 1).
        Assert.Equal(0.5, metrics.PerClassIoU[0], 12);
        Assert.Equal(2 / 3.0, metrics.PerClassIoU[1], 12);
        Assert.Equal(0.5, metrics.PerClassIoU[2], 12);
        Assert.Equal((0.5 + 2 / 3.0 + 0.5) / 3, metrics.MeanIoU, 12);
    }

    [Fact]
    public void The_confusion_matrix_is_accumulated_over_the_set_not_averaged_per_image()
    {
        // Per image, class 1's IoU is 1/1 and 0/2 (mean 0.5); over the set it is 1 / 3.
        var metrics = SegmentationMetrics.FromMasks([([1, 0], [1, 0]), ([1, 1], [0, 0])], classes: 2);
        Assert.Equal(1 / 3.0, metrics.PerClassIoU[1], 12);
    }

    [Fact]
    public void A_class_neither_present_nor_predicted_is_left_out_of_the_means()
    {
        var metrics = SegmentationMetrics.FromMasks([([0, 0, 1], [0, 0, 1])], classes: 4);
        Assert.True(double.IsNaN(metrics.PerClassIoU[2]));
        Assert.Equal(1.0, metrics.MeanIoU);
        Assert.Equal(1.0, metrics.MeanClassAccuracy);
        // Predicting a class that is absent counts: its IoU is 0.
        Assert.Equal(0.0, SegmentationMetrics.FromMasks([([0, 0], [0, 3])], classes: 4).PerClassIoU[3]);
    }

    [Fact]
    public void All_background_predictions_score_the_background_share_over_the_classes_present()
    {
        var truth = new uint[100];
        for (int p = 0; p < 10; p++) truth[p] = 5; // 10% of one digit
        var metrics = SegmentationMetrics.FromMasks([(truth, new uint[100])], classes: 11);
        Assert.Equal((0.9 + 0) / 2, metrics.MeanIoU, 12);
    }
}
