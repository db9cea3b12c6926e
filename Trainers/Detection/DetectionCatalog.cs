using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLToolkit.Datasets.Detection;
using MLToolkit.Trainers.Detection;
using MLToolkit.Trainers.Persistence;

namespace MLToolkit;

/// <summary>
/// Object detection in an <see cref="MLContext"/>: <c>ml.Detection().Trainers.Cnn(options)</c> and
/// <c>ml.Detection().Evaluate(scored, classes)</c> (VOC AP50 and COCO mAP).
/// </summary>
public sealed class DetectionCatalog
{
    internal DetectionCatalog(IHostEnvironment environment) => Trainers = new DetectionTrainers(environment);

    /// <summary>The detection trainers.</summary>
    public DetectionTrainers Trainers { get; }

    /// <summary>
    /// VOC AP at IoU 0.5 and COCO mAP (see <see cref="DetectionMetrics"/>) of a data view scored by a
    /// <see cref="DetectionTransformer"/>, against its ground-truth labels and boxes.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing, or a row's labels and boxes disagree.</exception>
    public DetectionMetrics Evaluate(IDataView scored, int classes, string labelsColumnName = DetectionData.Labels, string boxesColumnName = DetectionData.Boxes,
        string predictedLabelsColumnName = "PredictedLabels", string predictedBoxesColumnName = "PredictedBoxes", string scoresColumnName = "Scores")
    {
        var truth = DetectionData.ReadObjects(scored, labelsColumnName, boxesColumnName);
        var predictedObjects = DetectionData.ReadObjects(scored, predictedLabelsColumnName, predictedBoxesColumnName);
        var scores = scored.GetColumn<float[]>(scoresColumnName).ToArray();
        var images = truth.Select((t, i) => new ScoredImage(t, predictedObjects[i].Select((o, k) => new DetectedBox(o.Label, o.Box, scores[i][k])).ToArray())).ToArray();
        return DetectionMetrics.Evaluate(images, classes);
    }

    /// <summary>The detection trainers of a catalog.</summary>
    public sealed class DetectionTrainers
    {
        readonly IHostEnvironment _environment;

        internal DetectionTrainers(IHostEnvironment environment) => _environment = environment;

        /// <summary>A trainer of a grid detector (see <see cref="GridDetector"/>).</summary>
        public DetectionTrainer Cnn(DetectionOptions options) => new(_environment, options);
    }
}

/// <summary>Reaches the detection catalog of an <see cref="MLContext"/>.</summary>
public static class DetectionCatalogExtensions
{
    /// <summary>The detection trainers and metrics of <paramref name="ml"/> (seeded by its seed).</summary>
    public static DetectionCatalog Detection(this MLContext ml) => new(MlNetInternals.EnvironmentOf(ml.Transforms));
}
