using System.CommandLine;
using MLToolkit.Pipelines.Display;
using MLToolkit.Pipelines.Experiments;
using MLToolkit.Datasets.Images;
using MLToolkit.Pipelines.Runs;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Summary;
using Spectre.Console;

namespace MLToolkit.Pipelines;

/// <summary>The command line of the experiment host.</summary>
public static class HostCommand
{
    /// <summary>
    /// Builds the command line: <c>[experiment] [options]</c> (the same as <c>run</c>), and the
    /// commands <c>run</c>, <c>list</c>, <c>summary</c> and <c>bench</c>. Each has <c>--help</c>.
    /// </summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("MLToolkit experiment host: trains CNNs in ML.NET pipelines and writes a run folder.");
        var verbose = new Option<bool>("--verbose") { Description = "Show stack traces of errors", Recursive = true };
        root.Options.Add(verbose);
        AddRunArguments(root, verbose);

        var run = new Command("run", "Run an experiment with optional overrides");
        AddRunArguments(run, verbose);
        root.Subcommands.Add(run);
        root.Subcommands.Add(ListCommand());
        root.Subcommands.Add(SummaryCommand(verbose));
        root.Subcommands.Add(EvaluateCommand.Create((action, parse) => Guarded(parse.GetValue(verbose), action)));
        root.Subcommands.Add(PredictCommand.Create((action, parse) => Guarded(parse.GetValue(verbose), action)));
        root.Subcommands.Add(ExportCommand.Create((action, parse) => Guarded(parse.GetValue(verbose), action)));
        root.Subcommands.Add(BenchCommand.Create((action, parse) => Guarded(parse.GetValue(verbose), action)));
        return root;
    }

    /// <summary>The experiment argument and the override options, shared by the root command and <c>run</c>.</summary>
    static void AddRunArguments(Command command, Option<bool> verbose)
    {
        var experiment = new Argument<string>("experiment")
        {
            Description = $"Experiment to run: {string.Join(", ", ExperimentCatalog.All.Select(e => e.Name))}",
            DefaultValueFactory = _ => ExperimentCatalog.Default,
        };
        var epochs = CommandLineValues.WholeNumber("--epochs", "Override the number of epochs", minimum: 1);
        var batchSize = CommandLineValues.WholeNumber("--batch-size", "Override the batch size", minimum: 1);
        var learningRate = CommandLineValues.PositiveNumber("--learning-rate", "Override the base learning rate");
        var architecture = new Option<string?>("--arch") { Description = "Override the network with a zoo architecture (see 'list')" };
        var seed = CommandLineValues.Seed("--seed", "Seed of the run");
        var data = CommandLineValues.Folder("--data", "Dataset folder (for datasets that are not vendored)");
        var output = new Option<string>("--output") { Description = "Folder for run folders", DefaultValueFactory = _ => "runs" };
        var trainRows = CommandLineValues.WholeNumber("--train-rows", "Use only the first N training images", minimum: 1);
        var testRows = CommandLineValues.WholeNumber("--test-rows", "Use only the first N test images", minimum: 1);
        var imageSize = CommandLineValues.WholeNumber("--image-size", "images: side in pixels the images are resized to (default 224 pretrained, 32 from scratch)", minimum: 8);
        var fromScratch = new Option<bool>("--from-scratch") { Description = "images: train from random weights instead of the ImageNet ResNet-18 start" };
        var strict = new Option<bool>("--strict") { Description = "images: refuse unreadable images and empty class folders instead of skipping them with a warning" };
        var trainFolder = CommandLineValues.Folder("--train-folder", "images: the training folder (class subfolders), instead of --data");
        var valFolder = CommandLineValues.Folder("--val-folder", "images: the validation folder, with --train-folder");
        var testFolder = CommandLineValues.Folder("--test-folder", "images: the test folder, with --train-folder");
        var channels = CommandLineValues.Channels("--channels", "images: 1 (grey) or 3 (RGB)");
        var resume = new Option<string?>("--resume") { Description = "Continue an interrupted run from its checkpoints folder (same experiment and options)" };
        var keepCheckpoints = new Option<bool>("--keep-checkpoints") { Description = "Keep the per-epoch checkpoints after a successful run (they are removed by default)" };
        var precision = CommandLineValues.Precision("--precision",
            "Training arithmetic: 'mixed' (bfloat16 batches, float32 weights; fast on CPUs with AVX-512 BF16) or 'float32'; default: the experiment's choice");
        var list = new Option<bool>("--list") { Description = "List the experiments and architectures and exit" };
        command.Arguments.Add(experiment);
        foreach (var option in new Option[] { epochs, batchSize, learningRate, architecture, seed, data, output, trainRows, testRows, imageSize, channels, resume, list,
                     fromScratch, strict, trainFolder, valFolder, testFolder, keepCheckpoints, precision })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            if (parse.GetValue(list)) return List();
            var settings = new RunSettings(parse.GetValue(epochs), parse.GetValue(batchSize), parse.GetValue(learningRate),
                parse.GetValue(seed), parse.GetValue(data), parse.GetValue(output)!, parse.GetValue(trainRows), parse.GetValue(testRows),
                parse.GetValue(architecture), parse.GetValue(imageSize), parse.GetValue(channels), parse.GetValue(resume),
                parse.GetValue(fromScratch), parse.GetValue(strict), parse.GetValue(trainFolder), parse.GetValue(valFolder), parse.GetValue(testFolder),
                parse.GetValue(keepCheckpoints), CommandLineValues.IsMixed(parse.GetValue(precision)));
            // 'bench' used to be an experiment name; keep 'dotnet run -- bench' working.
            return parse.GetValue(experiment) == "bench" ? BenchCommand.Speed(settings.OutputRoot) : Run(parse.GetValue(experiment)!, settings, parse.GetValue(verbose));
        });
    }

    static Command ListCommand()
    {
        var command = new Command("list", "List the experiments and the architectures of the zoo");
        command.SetAction(_ => List());
        return command;
    }

    static int List()
    {
        Console.WriteLine("Experiments:");
        foreach (var e in ExperimentCatalog.All) Console.WriteLine($"  {e.Name,-12} {e.Description}");
        Console.WriteLine("Architectures (--arch):");
        Console.WriteLine("  " + string.Join(", ", ArchitectureRegistry.PresetNames));
        return 0;
    }

    static Command SummaryCommand(Option<bool> verbose)
    {
        var architecture = new Argument<string>("architecture") { Description = "Zoo architecture, e.g. resnet20, vgg16, googlenet" };
        var input = new Option<string>("--input") { Description = "Input shape CxHxW", DefaultValueFactory = _ => "1x28x28" };
        var classes = new Option<int>("--classes") { Description = "Number of classes", DefaultValueFactory = _ => 10 };
        var command = new Command("summary", "Print the layers of an architecture with output shapes, parameters and multiply-accumulates")
        {
            architecture, input, classes,
        };
        command.SetAction(parse => Guarded(parse.GetValue(verbose), () =>
        {
            var summary = ModelSummary.Of(ArchitectureRegistry.Create(parse.GetValue(architecture)!),
                ImageShape.Parse(parse.GetValue(input)!), parse.GetValue(classes));
            Console.Write(summary.ToString());
            return 0;
        }));
        return command;
    }

    /// <summary>Runs <paramref name="action"/>, turning an error into one line on stderr (or a stack trace with --verbose) and exit code 1.</summary>
    static int Guarded(bool verbose, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ReportError(e, verbose);
        }
    }

    /// <summary>The epochs of every model as a table, written to the current standard output.</summary>
    static void ResultsTable(ExperimentResult result)
    {
        var table = new Table().Title("Training").AddColumns("model", "epoch", "loss", "accuracy", "val. loss", "val. accuracy", "learning rate", "seconds");
        for (int m = 0; m < result.Epochs.Count; m++)
            foreach (var e in result.Epochs[m])
                table.AddRow($"{m + 1}", $"{e.Epoch}", $"{e.Loss:F4}", $"{e.Accuracy * 100:F2}%",
                    e.ValidationLoss is { } vl ? $"{vl:F4}" : "", e.ValidationAccuracy is { } va ? $"{va * 100:F2}%" : "",
                    $"{e.LearningRate:G3}", $"{e.Seconds:F1}");
        CurrentConsole.Create().Write(table);
    }

    /// <summary>
    /// A folder given to <c>--resume</c> must exist and hold checkpoints written by a run of the same
    /// experiment (a checkpoints folder inside a run folder named for it); otherwise training would
    /// start from scratch and write checkpoints at a mistyped path.
    /// </summary>
    static void CheckResumeFolder(string folder, string experiment)
    {
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
            throw new ArgumentException($"--resume folder '{full}' does not exist; give the checkpoints folder of the interrupted run (runs/<run>/checkpoints).");
        if (Directory.GetFiles(full, "*.checkpoint").Length == 0)
            throw new ArgumentException($"--resume folder '{full}' holds no checkpoints (*.checkpoint); give the checkpoints folder of the interrupted run (runs/<run>/checkpoints).");
        var runName = Path.GetFileName(Path.GetDirectoryName(full.TrimEnd(Path.DirectorySeparatorChar)) ?? "");
        if (!System.Text.RegularExpressions.Regex.IsMatch(runName, $@"^\d{{8}}-\d{{6}}-{System.Text.RegularExpressions.Regex.Escape(experiment)}(-\d+)?$"))
            throw new ArgumentException($"--resume folder '{full}' is not the checkpoints folder of a '{experiment}' run (its run folder is '{runName}').");
    }

    /// <summary>One clear line on stderr, or the stack trace with --verbose; exit code 1.</summary>
    static int ReportError(Exception e, bool verbose)
    {
        if (verbose) AnsiConsole.WriteException(e);
        else Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }

    /// <summary>Runs the speed benchmark and writes bench.json into a new run folder.</summary>
    /// <summary>Runs one experiment and prints its result; returns the process exit code.</summary>
    public static int Run(string name, RunSettings settings, bool verbose)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl+C stops training between two batches; a second one kills the process.
            if (cancellation.IsCancellationRequested) return;
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        string? checkpoints = null;
        try
        {
            var experiment = ExperimentCatalog.Find(name);
            if (settings.ResumeFrom is { } resumeFrom) CheckResumeFolder(resumeFrom, experiment.Name);
            // Named now, created when training writes its first epoch: a refused run leaves nothing behind.
            var run = RunFolder.Plan(settings.OutputRoot, experiment.Name, DateTime.Now);
            Console.WriteLine($"Experiment {experiment.Name}: {experiment.Description}");
            Console.WriteLine($"Run folder: {run.Path}");
            var progress = new ConsoleProgress(run);
            var context = new ExperimentContext(experiment.Name, settings, run, progress, cancellation.Token);
            checkpoints = settings.ResumeFrom ?? context.CheckpointFolder;
            var result = progress.Show(() => experiment.Run(context));
            ResultsTable(result);

            if (result.Detection is { } detection)
            {
                Console.WriteLine($"Test VOC AP50: {detection.VocMeanAP50:F4}  COCO mAP: {detection.CocoMeanAP:F4} (AP50 {detection.CocoAP50:F4}, AP75 {detection.CocoAP75:F4}); " +
                                  $"{result.TestRows} test scenes, {detection.ImagesPerSecond:F0} images/s");
                Console.WriteLine("VOC AP50 per class: " + string.Join(", ", detection.PerClassVocAP50.Select((v, c) =>
                    $"{result.ClassNames?[c] ?? c.ToString()} {(v is { } ap ? ap.ToString("F3") : "-")}")));
                Console.WriteLine($"Pictures: {detection.Pictures}");
            }
            else if (result.Segmentation is { } segmentation)
            {
                Console.WriteLine($"Test mean IoU: {segmentation.MeanIoU:F4} ({result.TestRows} test scenes; pixel accuracy {result.Accuracy * 100:F2}%, mean class accuracy {result.MacroAccuracy * 100:F2}%)");
                Console.WriteLine("IoU per class: " + string.Join(", ", segmentation.PerClassIoU.Select((v, c) =>
                    $"{(result.ClassNames is { } names ? names[c] : c.ToString())} {(v is { } iou ? iou.ToString("F3") : "-")}")));
                Console.WriteLine($"Pictures: {segmentation.Pictures}");
            }
            else
                Console.WriteLine($"Test accuracy: {result.Accuracy * 100:F2}% ({result.TestRows} test images; macro accuracy {result.MacroAccuracy * 100:F2}%, log-loss {result.LogLoss:F4})");
            if (result.MemberAccuracies.Count > 0)
                Console.WriteLine($"Ensemble members alone: {string.Join(", ", result.MemberAccuracies.Select(a => $"{a * 100:F2}%"))} accuracy");
            Console.WriteLine($"Training time: {result.TrainSeconds:F1}s on {result.TrainRows} images; evaluation {result.EvaluateSeconds:F1}s");
            Console.WriteLine($"Model: {result.ModelPath}");
            Console.WriteLine($"Metrics: {run.MetricsPath}");
            if (!settings.KeepCheckpoints && Directory.Exists(checkpoints))
            {
                // The run finished: its per-epoch checkpoints (26 MB to 1.5 GB) have served their purpose.
                Directory.Delete(checkpoints, recursive: true);
                Console.WriteLine("Checkpoints removed (--keep-checkpoints keeps them).");
            }
            return 0;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine(checkpoints is null
                ? "Cancelled."
                : $"Cancelled. Finished epochs are checkpointed; continue with the same command and --resume {checkpoints}");
            return 130;
        }
        catch (Exception e)
        {
            return ReportError(e, verbose);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
