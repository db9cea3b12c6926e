using System.CommandLine;
using Microsoft.ML;
using MLToolkit.Datasets.Cifar;
using MLToolkit.Datasets.ImageFolders;
using MLToolkit.Datasets.Mnist;
using MLToolkit.Pipelines.Experiments;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Pipelines.Display;
using MLToolkit.Pipelines.Runs;
using MLToolkit.Datasets.ModelFiles;
using MLToolkit.Datasets.Detection;
using MLToolkit.Datasets.Segmentation;
using MLToolkit.Trainers.Detection;
using MLToolkit.Trainers.Segmentation;
using Spectre.Console;

namespace MLToolkit.Pipelines;

/// <summary><c>evaluate &lt;model.zip&gt;</c>: scores a saved model on a dataset's test split and prints its metrics and confusion matrix.</summary>
public static class EvaluateCommand
{
    /// <summary>Builds the command; <paramref name="guarded"/> runs its action and turns an error into one line and exit code 1.</summary>
    public static Command Create(Func<Func<int>, ParseResult, int> guarded)
    {
        var model = new Argument<string>("model") { Description = "A model.zip saved by an experiment (or by ml.Model.Save)" };
        var dataset = new Option<string?>("--dataset") { Description = "mnist, fashion or cifar10; default: the dataset the model file records (models saved by the host), else mnist. A model trained on image files needs only --data" };
        var data = new Option<string?>("--data") { Description = "Dataset folder (fashion, cifar10, images)" };
        var testRows = new Option<int?>("--test-rows") { Description = "Use only the first N test images" };
        var tta = new Option<int?>("--tta") { Description = "Test-time augmentation: average N extra views augmented by the model's own policy (0: off)" };
        var command = new Command("evaluate", "Evaluate a saved model on a dataset's test images") { model, dataset, data, testRows, tta };
        command.SetAction(parse => guarded(() =>
        {
            var ml = new MLContext();
            var transformer = ml.LoadModel(parse.GetValue(model)!, out var inputSchema);
            var (datasetName, dataFolder) = Dataset(parse.GetValue(dataset), parse.GetValue(data), TrainedOn.ReadFrom(parse.GetValue(model)!));
            if (parse.GetValue(tta) is { } views) transformer = transformer.WithTestTimeAugmentation(views);
            if (transformer.Flatten().OfType<DetectionTransformer>().FirstOrDefault() is { } detector)
                return EvaluateDetection(ml, transformer, detector, parse.GetValue(model)!, parse.GetValue(testRows));
            if (transformer.Flatten().OfType<SegmentationTransformer>().FirstOrDefault() is { } segmenter)
                return EvaluateSegmentation(ml, transformer, segmenter, parse.GetValue(model)!, dataFolder, parse.GetValue(testRows));
            var cnn = transformer.Flatten().OfType<CnnTransformer>().FirstOrDefault();
            var classNames = cnn?.LabelValues?.Values;
            IDataView test;
            if (inputSchema.GetColumnOrNull("ImagePath") is not null)
            {
                // A model trained on image files holds its own preprocessing: feed it paths and map the
                // folder names to the model's classes, in the model's key order.
                var folder = dataFolder ?? throw new ArgumentException("This model scores image files: give --data <folder of class subfolders, or a root with train/val/test folders>.");
                test = ImageTestSplit(ml, folder, classNames ?? throw new ArgumentException("The model holds no class names."),
                    ImageFolderSplit.ReadFrom(parse.GetValue(model)!));
            }
            else
            {
                if (string.Equals(datasetName, "images", StringComparison.OrdinalIgnoreCase))
                    throw new ArgumentException($"This model takes {string.Join(", ", inputSchema.Select(c => c.Name))}, not image files; evaluate it on its dataset (--dataset mnist, fashion or cifar10).");
                if (classNames is not null && classNames.Any(c => !uint.TryParse(c, out _)))
                    throw new ArgumentException($"This model's classes are {string.Join(", ", classNames)}; give the dataset it was trained on with --dataset and --data.");
                test = TestSplit(ml, datasetName, dataFolder);
            }
            if (parse.GetValue(testRows) is { } rows) test = ml.Data.TakeRows(test, rows);
            var metrics = ml.MulticlassClassification.Evaluate(transformer.Transform(test));
            int classes = metrics.ConfusionMatrix.NumberOfClasses;
            string Name(int c) => classNames is not null && c < classNames.Count ? classNames[c] : c.ToString();
            Console.WriteLine($"Scored {metrics.ConfusionMatrix.Counts.Sum(r => r.Sum()):0} images of {classes} classes ({string.Join(", ", Enumerable.Range(0, classes).Select(Name))})");
            Console.WriteLine($"Accuracy: {metrics.MicroAccuracy * 100:F2}%  macro accuracy: {metrics.MacroAccuracy * 100:F2}%  log-loss: {metrics.LogLoss:F4}");
            var table = new Table().Title("Confusion matrix (rows: true class, columns: predicted)");
            table.AddColumn("");
            for (int c = 0; c < classes; c++) table.AddColumn(new TableColumn(Markup.Escape(Name(c))).RightAligned());
            for (int r = 0; r < classes; r++)
                table.AddRow([Markup.Escape(Name(r)), .. metrics.ConfusionMatrix.Counts[r].Select(v => v.ToString("0"))]);
            CurrentConsole.Create().Write(table);
            return 0;
        }, parse));
        return command;
    }

    /// <summary>
    /// Scores a segmentation model: on the MNIST scenes its run generated (the scene settings are recorded in
    /// the model file), or on a folder of images and masks (<c>--data</c>: Pascal VOC's val list, else all of
    /// images/), and prints pixel accuracy, mean class accuracy, per-class and mean IoU.
    /// </summary>
    /// <summary>Scores a detector on the MNIST detection scenes its run generated (recorded in the model file).</summary>
    static int EvaluateDetection(MLContext ml, ITransformer model, DetectionTransformer detector, string modelPath, int? rows)
    {
        var scenes = ModelNotes.Read<DetectionSceneOptions>(modelPath, DetectMnistExperiment.SceneNote)
            ?? throw new ArgumentException("This detection model records no MNIST scene settings; evaluate it in code with ml.Detection().Evaluate on your own annotated images.");
        var (_, test) = MnistDetectionScenes.Generate(scenes with { TrainScenes = 1 });
        Console.WriteLine($"Scoring the test scenes of the run (seed {scenes.Seed}, {scenes.TestScenes} scenes of {scenes.Size}×{scenes.Size}).");
        var data = DetectionData.FromScenes(ml, test, MnistDetectionScenes.Shape(scenes), MnistDetectionScenes.ClassNames);
        if (rows is { } n) data = ml.Data.TakeRows(data, n);
        var s = detector.Settings;
        var metrics = ml.Detection().Evaluate(model.Transform(data), s.Classes, s.LabelsColumnName, s.BoxesColumnName, s.PredictedLabelsColumnName, s.PredictedBoxesColumnName, s.ScoresColumnName);
        Console.WriteLine($"VOC AP50: {metrics.VocMeanAP50:F4}  COCO mAP: {metrics.CocoMeanAP:F4} (AP50 {metrics.CocoAP50:F4}, AP75 {metrics.CocoAP75:F4})");
        return 0;
    }

    static int EvaluateSegmentation(MLContext ml, ITransformer model, SegmentationTransformer segmenter, string modelPath, string? folder, int? rows)
    {
        var shape = segmenter.InputShape;
        IDataView test;
        if (folder is null)
        {
            var scenes = ModelNotes.Read<SceneOptions>(modelPath, SegmentMnistExperiment.SceneNote) ?? new SceneOptions();
            if (scenes.Size != shape.Height || shape.Channels != 1)
                throw new ArgumentException($"This segmentation model takes {shape} images, not the {scenes.Size}×{scenes.Size} MNIST scenes; give its data with --data.");
            test = MnistScenes.Generate(ml, scenes with { TrainScenes = 0 }).Test;
            Console.WriteLine($"Scoring the test scenes of the run (seed {scenes.Seed}, {scenes.TestScenes} scenes of {scenes.Size}×{scenes.Size}).");
        }
        else
        {
            var (train, validation) = SegmentationFolder.Load(ml, folder, new SegmentationFolderOptions { Size = shape.Height, Channels = shape.Channels, Classes = segmenter.Classes });
            test = validation ?? train;
        }
        if (rows is { } n) test = ml.Data.TakeRows(test, n);
        var metrics = ml.Segmentation().Evaluate(model.Transform(test), segmenter.Classes, predictedMaskColumnName: segmenter.PredictedMaskColumnName);
        string Name(int c) => segmenter.ClassNames is { } names ? names[c] : c.ToString();
        Console.WriteLine($"Scored {metrics.Pixels:N0} pixels (ignored ones left out), {segmenter.Classes} classes");
        Console.WriteLine($"Mean IoU: {metrics.MeanIoU:F4}  pixel accuracy: {metrics.PixelAccuracy * 100:F2}%  mean class accuracy: {metrics.MeanClassAccuracy * 100:F2}%");
        var table = new Table().Title("Per class").AddColumns("class", "IoU", "accuracy");
        for (int c = 0; c < segmenter.Classes; c++)
            table.AddRow(Markup.Escape(Name(c)), double.IsNaN(metrics.PerClassIoU[c]) ? "-" : metrics.PerClassIoU[c].ToString("F4"),
                double.IsNaN(metrics.PerClassAccuracy[c]) ? "-" : $"{metrics.PerClassAccuracy[c] * 100:F2}%");
        CurrentConsole.Create().Write(table);
        return 0;
    }

    /// <summary>
    /// The dataset and folder to score on: what the user typed, else what the model file records. A
    /// <c>--dataset</c> other than the recorded one is refused: MNIST and Fashion-MNIST share their
    /// image shape, so the wrong one scores without error and reports a meaningless accuracy.
    /// </summary>
    static (string Dataset, string? Data) Dataset(string? typed, string? data, TrainedOn? recorded)
    {
        if (recorded is null) return (typed ?? "mnist", data);
        if (typed is not null && !typed.Equals(recorded.Dataset, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"This model was trained on {recorded.Dataset}, not {typed}: leave out --dataset " +
                $"(it defaults to {recorded.Dataset}), or give --dataset {recorded.Dataset}.");
        // The recorded folder is only a default: the data may have moved, and --data says where to.
        return (recorded.Dataset, data ?? (recorded.Data is { } folder && Directory.Exists(folder) ? folder : null));
    }

    static IDataView TestSplit(MLContext ml, string dataset, string? data) => dataset.ToLowerInvariant() switch
    {
        "mnist" => data is null ? Mnist.Load(ml).Test : Mnist.Load(ml, data).Test,
        "fashion" => FashionMnist.Load(ml, data ?? SharedData.Folder("fashion-mnist")).Test,
        "cifar10" => Cifar10.Load(ml, data ?? throw new ArgumentException("cifar10 needs --data <folder of the binary batches>.")).Test,
        _ => throw new ArgumentException($"Unknown dataset '{dataset}'; use mnist, fashion, cifar10 or images."),
    };

    /// <summary>
    /// The images to score from <paramref name="folder"/>: of the class-folder root the model was trained
    /// on, the test images its training held out (<paramref name="split"/>); of any other folder of class
    /// subfolders (a <c>val/</c> folder, say), every image; of a root with split folders, its <c>test/</c>
    /// folder (else <c>val/</c>). Labels become keys in the model's class order; a class the model does not
    /// know is refused.
    /// </summary>
    static IDataView ImageTestSplit(MLContext ml, string folder, IReadOnlyList<string> classNames, ImageFolderSplit? split)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--data folder '{folder}' does not exist.");
        var isSplitRoot = Directory.GetDirectories(folder).Select(Path.GetFileName).Any(n => n is not null && n.Equals("train", StringComparison.OrdinalIgnoreCase));
        bool trainedRoot = !isSplitRoot && split is not null && split.IsOf(folder);
        var data = isSplitRoot ? ImageFolder.LoadPaths(ml, folder)
            : trainedRoot ? ImageFolder.LoadPaths(ml, folder, split!.ToOptions())
            // Every image of the folder is scored: it is all "test", nothing is held back.
            : ImageFolder.LoadPaths(ml, null, new ImageFolderOptions { TrainFolder = folder });
        var view = isSplitRoot ? (data.TestCount > 0 ? data.Test : data.Validation) : trainedRoot ? data.Test : data.Train;
        if (trainedRoot) Console.WriteLine($"'{folder}' is the folder the model was trained on: scoring the test images its training held out (seed {split!.Seed}, {split.TestFraction:P0}).");
        if (data.ClassNames.FirstOrDefault(c => !classNames.Contains(c)) is { } unknown)
            throw new ArgumentException($"Class '{unknown}' of '{folder}' is not one of the model's classes ({string.Join(", ", classNames)}).");
        var keys = ml.Data.LoadFromEnumerable(classNames.Select(c => new ClassName { Label = c }));
        return ml.Transforms.Conversion.MapValueToKey("Label", keyData: keys).Fit(view).Transform(view);
    }

    sealed class ClassName
    {
        public string Label { get; set; } = "";
    }
}
