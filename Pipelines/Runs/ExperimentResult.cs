using MLToolkit.Trainers.Training;

namespace MLToolkit.Pipelines.Runs;

/// <summary>The outcome of an experiment, written to metrics.json.</summary>
/// <param name="Experiment">The experiment's name.</param>
/// <param name="Accuracy">Test accuracy (micro: share of test images classified correctly).</param>
/// <param name="MacroAccuracy">Mean of the per-class accuracies.</param>
/// <param name="LogLoss">Mean test log-loss.</param>
/// <param name="TrainRows">Training images used.</param>
/// <param name="TestRows">Test images used.</param>
/// <param name="TrainSeconds">Wall time of <c>Fit</c>.</param>
/// <param name="EvaluateSeconds">Wall time of scoring and evaluating the test set.</param>
/// <param name="ConfusionMatrix">Counts by true class (rows) and predicted class (columns).</param>
/// <param name="Epochs">Per trained network, the summary of each epoch.</param>
/// <param name="ModelPath">Where the model was saved.</param>
/// <param name="MemberAccuracies">For an ensemble, the test accuracy of each member alone.</param>
/// <param name="Settings">What the run was trained with: data folder and layout, classes, split counts, image size, architecture, pretrained start, epochs, learning rates, seed.</param>
/// <param name="ClassNames">The class of each row and column of <paramref name="ConfusionMatrix"/> (key order, which is the order labels first appear in the training data).</param>
/// <param name="Segmentation">For a segmentation run, its mean IoU and per-class IoU (then <paramref name="Accuracy"/> is pixel accuracy, <paramref name="MacroAccuracy"/> mean class accuracy, and the confusion matrix counts pixels).</param>
public sealed record ExperimentResult(
    string Experiment, double Accuracy, double MacroAccuracy, double LogLoss,
    long TrainRows, long TestRows, double TrainSeconds, double EvaluateSeconds,
    double[][] ConfusionMatrix, IReadOnlyList<IReadOnlyList<EpochSummary>> Epochs, string ModelPath, IReadOnlyList<double> MemberAccuracies,
    IReadOnlyList<string>? ClassNames = null, IReadOnlyDictionary<string, object?>? Settings = null, SegmentationSummary? Segmentation = null,
    DetectionSummary? Detection = null);

/// <summary>The segmentation metrics of a run (see <c>SegmentationMetrics</c>).</summary>
/// <param name="MeanIoU">Mean IoU over the classes.</param>
/// <param name="PerClassIoU">IoU of each class, in class order (null where a class is neither present nor predicted).</param>
/// <param name="Pictures">The PNG of test scenes beside their true and predicted masks.</param>
public sealed record SegmentationSummary(double MeanIoU, IReadOnlyList<double?> PerClassIoU, string Pictures);

/// <summary>The detection metrics of a run (see <c>DetectionMetrics</c>).</summary>
/// <param name="VocMeanAP50">Pascal VOC AP at IoU 0.5 (all-point), mean over the classes.</param>
/// <param name="CocoMeanAP">COCO mAP over IoU 0.50:0.05:0.95 (101 recall points, 100 detections per image).</param>
/// <param name="CocoAP50">COCO-style AP at IoU 0.5.</param>
/// <param name="CocoAP75">COCO-style AP at IoU 0.75.</param>
/// <param name="PerClassVocAP50">VOC AP50 of each class (null for a class without ground truth).</param>
/// <param name="ImagesPerSecond">Detection speed of <c>Transform</c> over the test set (network, decoding and NMS).</param>
/// <param name="Pictures">The PNG of test scenes with true and predicted boxes.</param>
public sealed record DetectionSummary(double VocMeanAP50, double CocoMeanAP, double CocoAP50, double CocoAP75, IReadOnlyList<double?> PerClassVocAP50,
    double ImagesPerSecond, string Pictures);
