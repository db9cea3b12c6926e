using System.CommandLine;
using Microsoft.ML;
using MLToolkit.Datasets.Cifar;
using MLToolkit.Datasets.ImageFolders;
using MLToolkit.Datasets.Mnist;
using MLToolkit.Pipelines.Experiments;
using Spectre.Console;

namespace MLToolkit.Pipelines;

/// <summary><c>evaluate &lt;model.zip&gt;</c>: scores a saved model on a dataset's test split and prints its metrics and confusion matrix.</summary>
public static class EvaluateCommand
{
    /// <summary>Builds the command; <paramref name="guarded"/> runs its action and turns an error into one line and exit code 1.</summary>
    public static Command Create(Func<Func<int>, ParseResult, int> guarded)
    {
        var model = new Argument<string>("model") { Description = "A model.zip saved by an experiment (or by ml.Model.Save)" };
        var dataset = new Option<string>("--dataset") { Description = "mnist, fashion, cifar10 or images", DefaultValueFactory = _ => "mnist" };
        var data = new Option<string?>("--data") { Description = "Dataset folder (fashion, cifar10, images)" };
        var imageSize = new Option<int>("--image-size") { Description = "images: side the model was trained on", DefaultValueFactory = _ => 32 };
        var channels = new Option<int>("--channels") { Description = "images: 1 or 3", DefaultValueFactory = _ => 3 };
        var testRows = new Option<int?>("--test-rows") { Description = "Use only the first N test images" };
        var tta = new Option<int?>("--tta") { Description = "Test-time augmentation: average N extra views augmented by the model's own policy (0: off)" };
        var command = new Command("evaluate", "Evaluate a saved model on a dataset's test images") { model, dataset, data, imageSize, channels, testRows, tta };
        command.SetAction(parse => guarded(() =>
        {
            var ml = new MLContext();
            var transformer = ml.LoadModel(parse.GetValue(model)!, out _);
            if (parse.GetValue(tta) is { } views) transformer = transformer.WithTestTimeAugmentation(views);
            var test = TestSplit(ml, parse.GetValue(dataset)!, parse.GetValue(data), parse.GetValue(imageSize), parse.GetValue(channels));
            if (parse.GetValue(testRows) is { } rows) test = ml.Data.TakeRows(test, rows);
            var metrics = ml.MulticlassClassification.Evaluate(transformer.Transform(test));
            Console.WriteLine($"Accuracy: {metrics.MicroAccuracy * 100:F2}%  macro accuracy: {metrics.MacroAccuracy * 100:F2}%  log-loss: {metrics.LogLoss:F4}");
            var table = new Table().Title("Confusion matrix (rows: true class, columns: predicted)");
            table.AddColumn("");
            int classes = metrics.ConfusionMatrix.NumberOfClasses;
            for (int c = 0; c < classes; c++) table.AddColumn(new TableColumn(c.ToString()).RightAligned());
            for (int r = 0; r < classes; r++)
                table.AddRow([r.ToString(), .. metrics.ConfusionMatrix.Counts[r].Select(v => v.ToString("0"))]);
            AnsiConsole.Write(table);
            return 0;
        }, parse));
        return command;
    }

    static IDataView TestSplit(MLContext ml, string dataset, string? data, int imageSize, int channels) => dataset.ToLowerInvariant() switch
    {
        "mnist" => data is null ? Mnist.Load(ml).Test : Mnist.Load(ml, data).Test,
        "fashion" => FashionMnist.Load(ml, data ?? SharedData.Folder("fashion-mnist")).Test,
        "cifar10" => Cifar10.Load(ml, data ?? throw new ArgumentException("cifar10 needs --data <folder of the binary batches>.")).Test,
        "images" => ImageFolder.Load(ml, data ?? throw new ArgumentException("images needs --data <folder of class subfolders>."),
            imageSize, imageSize, channels).Test,
        _ => throw new ArgumentException($"Unknown dataset '{dataset}'; use mnist, fashion, cifar10 or images."),
    };
}
