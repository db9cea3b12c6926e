using Microsoft.ML;
using MLToolkit.Datasets.Cifar;
using MLToolkit.Pipelines.Runs;

namespace MLToolkit.Pipelines.Experiments;

/// <summary>
/// CIFAR-10 with a zoo network (ResNet-20 unless <c>--arch</c> says otherwise): flips and 4-pixel
/// random crops, SGD with Nesterov momentum and weight decay, cosine decay — the usual CIFAR
/// ResNet recipe. CIFAR-10 is not vendored: pass its binary folder with <c>--data</c>.
/// </summary>
public sealed class Cifar10Experiment : IExperiment
{
    /// <inheritdoc />
    public string Name => "cifar10";

    /// <inheritdoc />
    public string Description => "ResNet-20 (or --arch) on CIFAR-10 (--data <folder of data_batch_*.bin>)";

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        var ml = context.ML;
        var (train, test) = Cifar10.Load(ml, context.DataDirectory(SharedData.Folder("cifar-10")));

        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Augment("Image",
                Augmentations.RandomHorizontalFlip(),
                Augmentations.RandomCrop(padding: 4)))
            .Append(ml.MulticlassClassification.Trainers.Cnn(context.Configure(new CnnOptions
            {
                Architecture = Architectures.ResNet(20),
                Epochs = 30,
                BatchSize = 128,
                Optimizer = Optimizers.Nesterov(learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4),
                LearningRateSchedule = Schedules.Cosine(warmupEpochs: 1),
            })))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        return context.FitAndEvaluate(pipeline, train, test);
    }
}
