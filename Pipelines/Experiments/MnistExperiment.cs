using Microsoft.ML;
using MLToolkit.Datasets.Mnist;
using MLToolkit.Pipelines.Runs;

namespace MLToolkit.Pipelines.Experiments;

/// <summary>
/// The main job: the classic CNN (Conv-ReLU-MaxPool ×3, Dense 256, Dropout 0.4) on the vendored
/// MNIST, Adam with the learning rate halved every 3 epochs.
/// </summary>
public sealed class MnistExperiment : IExperiment
{
    /// <inheritdoc />
    public string Name => "mnist";

    /// <inheritdoc />
    public string Description => "Classic CNN on the vendored MNIST (the main job)";

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        var ml = context.ML;
        var (train, test) = Mnist.Load(ml);

        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(context.Configure(new CnnOptions
            {
                Architecture = Architectures.MnistClassic(),
                Epochs = 10,
                BatchSize = 100,
                Optimizer = Optimizers.Adam(learningRate: 1e-3),
                LearningRateSchedule = Schedules.StepDecay(everyEpochs: 3, factor: 0.5),
            })))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        return context.FitAndEvaluate(pipeline, train, test);
    }
}
