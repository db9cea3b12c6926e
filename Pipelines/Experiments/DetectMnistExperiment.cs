using MLToolkit.Datasets.Detection;
using MLToolkit.Pipelines.Runs;
using MLToolkit.Trainers.Detection;

namespace MLToolkit.Pipelines.Experiments;

/// <summary>
/// Object detection on generated MNIST scenes (128×128, 1–5 digits of 16–56 px; see <see cref="DetectionSceneOptions"/>
/// for the fixed default set): the YOLO-style <see cref="GridDetector"/> (16×16 grid), Adam with a one-cycle schedule.
/// Reports Pascal VOC AP at IoU 0.5 and COCO mAP, detection speed, and draws test scenes with true and predicted boxes.
/// </summary>
public sealed class DetectMnistExperiment : IExperiment
{
    /// <summary>The model note that records the scene settings, so that <c>evaluate</c> regenerates the same test scenes.</summary>
    public const string SceneNote = "DetectionSceneOptions";

    /// <inheritdoc />
    public string Name => "detect-mnist";

    /// <inheritdoc />
    public string Description => "Object detection of digits in generated MNIST scenes: a YOLO-style grid detector, VOC AP50 and COCO mAP";

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        var ml = context.ML;
        var scenes = new DetectionSceneOptions { Seed = context.Settings.Seed };
        var (train, test) = MnistDetectionScenes.Generate(scenes);
        var shape = MnistDetectionScenes.Shape(scenes);
        var training = context.Configure(new CnnOptions
        {
            Epochs = 8,
            BatchSize = 32,
            Optimizer = Optimizers.Adam(learningRate: 2e-3),
            LearningRateSchedule = Schedules.OneCycle(),
        }, classifier: false);
        training.Architecture = Architectures.MnistClassic(); // not used: the detector's design is below
        var architecture = new GridDetector();
        var trainer = ml.Detection().Trainers.Cnn(new DetectionOptions
        {
            Classes = MnistDetectionScenes.ClassNames.Count, ClassNames = MnistDetectionScenes.ClassNames, Architecture = architecture, Training = training,
        });
        Console.WriteLine($"Scenes: {scenes.TrainScenes} training, {scenes.TestScenes} test, {scenes.Size}×{scenes.Size}, {scenes.MinDigits}–{scenes.MaxDigits} digits of " +
                          $"{scenes.MinDigitSize}–{scenes.MaxDigitSize} px; network {architecture.Name} ({scenes.Size / architecture.Stride}×{scenes.Size / architecture.Stride} grid)");
        var recorded = new Dictionary<string, object?>
        {
            ["scenes"] = scenes, ["architecture"] = architecture.Name, ["epochs"] = training.Epochs, ["batchSize"] = training.BatchSize,
            ["learningRate"] = training.Optimizer.LearningRate, ["seed"] = context.Settings.Seed,
        };
        var result = context.FitAndEvaluateDetection(trainer,
            DetectionData.FromScenes(ml, train, shape, MnistDetectionScenes.ClassNames), DetectionData.FromScenes(ml, test, shape, MnistDetectionScenes.ClassNames), recorded);
        Datasets.ModelFiles.ModelNotes.Write(result.ModelPath, SceneNote, scenes);
        return result;
    }
}
