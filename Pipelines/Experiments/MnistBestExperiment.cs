using Microsoft.ML;
using MLToolkit.Datasets.Mnist;
using MLToolkit.Pipelines.Runs;

namespace MLToolkit.Pipelines.Experiments;

/// <summary>
/// The "best CNN on MNIST" recipe as one pipeline: augmentation, Conv-BN-ReLU blocks, learning rate
/// halved every 5 epochs, and an ensemble of three CNNs whose probabilities are averaged.
/// </summary>
public sealed class MnistBestExperiment : IExperiment
{
    /// <inheritdoc />
    public string Name => "mnist-best";

    /// <inheritdoc />
    public string Description => "Best-CNN recipe on MNIST: augmentation, Conv-BN-ReLU, step decay, ensemble of 3";

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        var ml = context.ML;
        var (train, test) = Mnist.Load(ml);

        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Augment("Image", Augmentations.RandomAffine(rotationDegrees: 10, shift: 0.1, zoom: 0.1)))
            .Append(ml.MulticlassClassification.Trainers.CnnEnsemble(members: 3, member: context.Configure(new CnnOptions
            {
                Architecture = Architectures.MnistBestCnn(),
                Epochs = 15,
                BatchSize = 100,
                Optimizer = Optimizers.Adam(learningRate: 1e-3),
                LearningRateSchedule = Schedules.StepDecay(everyEpochs: 5, factor: 0.5),
            })))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        return context.FitAndEvaluate(pipeline, train, test);
    }
}
