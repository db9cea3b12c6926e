using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLToolkit.Datasets.ImageFolders;
using MLToolkit.Pipelines.Runs;
using MLToolkit.Trainers.Networks;

namespace MLToolkit.Pipelines.Experiments;

/// <summary>
/// Your own photos: a folder of class subfolders, of <c>train/</c>, <c>val/</c>, <c>test/</c> split
/// folders, or explicit <c>--train-folder</c>/<c>--val-folder</c>/<c>--test-folder</c>. RGB images start
/// from the ImageNet ResNet-18 at 224 px, centre-filled (head alone for 2 epochs, then the whole network
/// with the backbone at a tenth of the learning rate and its batch norms frozen); <c>--from-scratch</c>, grey images or another <c>--arch</c> train a
/// Conv-BN-ReLU CNN (or that architecture) from random weights. The saved model takes an image path.
/// </summary>
public sealed class ImagesExperiment : IExperiment
{
    /// <inheritdoc />
    public string Name => "images";

    /// <inheritdoc />
    public string Description => "Your own photos (--data <class folders or train/val/test folders>, --image-size, --channels, --from-scratch, --arch)";

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        var ml = context.ML;
        var settings = context.Settings;
        var data = LoadFolder(context);
        // Without a test split (train/ and val/ only), the validation folder is what the model is measured on.
        var test = data.TestCount > 0 ? data.Test : data.Validation;

        bool pretrained = settings.Channels == 3 && !settings.FromScratch && settings.Architecture is null or "resnet18";
        int size = settings.ImageSize ?? (pretrained ? 224 : 32);
        if (size < 8) throw new ArgumentException($"--image-size must be at least 8 pixels; it is {size}.");
        if (settings.Channels is not (1 or 3)) throw new ArgumentException($"--channels must be 1 (grey) or 3 (RGB); it is {settings.Channels}.");

        var options = pretrained
            ? new CnnOptions
            {
                Architecture = Architectures.ResNet(18), Pretrained = PretrainedWeights.ImageNetResNet18(),
                Epochs = 6, FreezeBackboneEpochs = 2, BackboneLearningRateFactor = 0.1, FreezeBackboneBatchNorm = true,
                BatchSize = 32, Optimizer = Optimizers.Adam(learningRate: 1e-3), LearningRateSchedule = Schedules.Cosine(),
                Regularization = new() { LabelSmoothing = 0.1 },
            }
            : new CnnOptions
            {
                Architecture = Architectures.MnistBestCnn(), Epochs = 20, BatchSize = 32,
                Optimizer = Optimizers.Adam(learningRate: 1e-3), LearningRateSchedule = Schedules.Cosine(warmupEpochs: 1),
            };
        context.Configure(options);

        // The pixel steps are the model's first stages, so the saved model takes an image path. The
        // label's key mapping stays outside the model: it is needed to train and to test, never to predict.
        // The ImageNet network sees the picture as it was trained to: filling the frame (IsoCrop, the centre
        // of the longer side), not letterboxed: 89.0% against 87.0% with black bars on flowers-small.
        var resizing = pretrained ? ImageResizingEstimator.ResizingKind.IsoCrop : ImageResizingEstimator.ResizingKind.IsoPad;
        var preprocessing = ImageFolder.Preprocessing(ml, size, size, settings.Channels, resizing: resizing);
        var labelKeys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data.Train);
        if (data.ValidationCount > 0)
            // Validation rows meet the trainer without the pipeline's upstream steps: give them the same pixels.
            // Without a test split they are also what the model is measured on: then they are shown each
            // epoch but steer nothing (no early stopping, no plateau schedule here).
            options.ValidationData = preprocessing.Fit(data.Train).Transform(labelKeys.Transform(data.Validation));
        var pipeline = preprocessing
            .Append(ml.Transforms.Augment("Image", Augmentations.RandomHorizontalFlip(), Augmentations.RandomAffine(rotationDegrees: 10, shift: 0.1, zoom: 0.1)))
            .Append(ml.MulticlassClassification.Trainers.Cnn(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        var recorded = new Dictionary<string, object?>
        {
            ["data"] = settings.DataDirectory is { } d ? Path.GetFullPath(d) : null,
            ["layout"] = data.Layout.ToString(), ["folders"] = data.Folders, ["classes"] = data.ClassNames,
            ["trainImages"] = data.TrainCount, ["validationImages"] = data.ValidationCount, ["testImages"] = data.TestCount,
            ["measuredOn"] = data.TestCount > 0 ? "test" : "validation",
            ["imageSize"] = size, ["resizing"] = resizing.ToString(), ["channels"] = settings.Channels, ["architecture"] = options.Architecture.Name,
            ["pretrained"] = options.Pretrained?.Description, ["epochs"] = options.Epochs, ["freezeBackboneEpochs"] = options.FreezeBackboneEpochs,
            ["learningRate"] = options.Optimizer.LearningRate, ["backboneLearningRateFactor"] = options.BackboneLearningRateFactor,
            ["batchSize"] = options.BatchSize, ["seed"] = settings.Seed,
        };
        Console.WriteLine(pretrained
            ? $"Network: ResNet-18 from ImageNet weights, {size}×{size} RGB; head alone for {options.FreezeBackboneEpochs} epoch(s), then fine-tuning"
            : $"Network: {options.Architecture.Name} from random weights, {size}×{size}, {settings.Channels} channel(s)");
        var result = context.FitAndEvaluate(pipeline, labelKeys.Transform(data.Train), labelKeys.Transform(test), recorded: recorded);
        // A root split by fraction: the model remembers how, so that evaluate on that root scores the same test images.
        if (data.Layout == ImageFolderLayout.ClassFolders && settings.DataDirectory is { } root)
            ImageFolderSplit.Of(root, FolderOptions(settings)).WriteTo(result.ModelPath);
        return result;
    }

    static ImageFolderOptions FolderOptions(RunSettings settings) => new()
    {
        Seed = settings.Seed, Strict = settings.Strict,
        TrainFolder = settings.TrainFolder, ValidationFolder = settings.ValidationFolder, TestFolder = settings.TestFolder,
    };

    /// <summary>
    /// The folder the user named (<c>--data</c> or <c>--train-folder</c>…), as image paths and labels,
    /// with its layout, classes and split counts printed; refused when nothing is left to measure on.
    /// </summary>
    internal static ImageFolderData LoadFolder(ExperimentContext context)
    {
        var (ml, settings) = (context.ML, context.Settings);
        if (settings.DataDirectory is null && settings.TrainFolder is null)
            throw new ArgumentException("The images experiment needs --data <folder> (one subfolder per class, or train/ and val/ folders of them) or --train-folder <folder>.");
        if (settings.DataDirectory is { } root && !Directory.Exists(root))
            throw new DirectoryNotFoundException(File.Exists(root)
                ? $"--data must be a folder; '{root}' is a file."
                : $"--data folder '{Path.GetFullPath(root)}' does not exist.");
        var data = ImageFolder.LoadPaths(ml, settings.DataDirectory, FolderOptions(settings));
        Console.WriteLine($"Layout: {data.Layout} ({data.Folders})");
        Console.WriteLine($"Classes: {string.Join(", ", data.ClassNames)}; images: {data.TrainCount} train, {data.ValidationCount} validation, " +
                          $"{data.TestCount} test; {data.Skipped.Count} file(s) skipped");
        if (data.TestCount == 0 && data.ValidationCount == 0)
            throw new ArgumentException("The images experiment needs images to measure the model on: a test/ or val/ folder, or a class-folder root to split.");

        return data;
    }
}
