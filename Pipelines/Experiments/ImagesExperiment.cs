using Microsoft.ML;
using MLToolkit.Datasets.ImageFolders;
using MLToolkit.Pipelines.Runs;

namespace MLToolkit.Pipelines.Experiments;

/// <summary>
/// Your own images: a folder with one subfolder per class (<c>--data</c>), resized to
/// <c>--image-size</c> pixels with <c>--channels</c> channels, split 70/10/20 per class; a
/// Conv-BN-ReLU CNN (or <c>--arch</c>) with flips and crops, validated on the held-out tenth.
/// </summary>
public sealed class ImagesExperiment : IExperiment
{
    /// <inheritdoc />
    public string Name => "images";

    /// <inheritdoc />
    public string Description => "Your own image folder (--data <folder of class subfolders>, --image-size, --channels, --arch)";

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        var ml = context.ML;
        var settings = context.Settings;
        if (settings.DataDirectory is null)
            throw new ArgumentException("The images experiment needs --data <folder>, with one subfolder of images per class.");
        var data = ImageFolder.Load(ml, context.DataDirectory(settings.DataDirectory), settings.ImageSize, settings.ImageSize, settings.Channels,
            new ImageFolderOptions { Seed = settings.Seed });
        Console.WriteLine($"Classes: {string.Join(", ", data.ClassNames)}; {data.Skipped.Count} file(s) skipped");

        // Validation rows meet the trainer without the pipeline's upstream steps: give them the same keys.
        var labelKeys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data.Train);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Augment("Image", Augmentations.RandomHorizontalFlip(), Augmentations.RandomCrop(padding: settings.ImageSize / 8)))
            .Append(ml.MulticlassClassification.Trainers.Cnn(context.Configure(new CnnOptions
            {
                Architecture = Architectures.MnistBestCnn(),
                Epochs = 20,
                BatchSize = 32,
                Optimizer = Optimizers.Adam(learningRate: 1e-3),
                LearningRateSchedule = Schedules.Cosine(warmupEpochs: 1),
                ValidationData = labelKeys.Transform(data.Validation),
            })))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        return context.FitAndEvaluate(pipeline, data.Train, data.Test);
    }
}
