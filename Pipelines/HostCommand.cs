using System.CommandLine;
using MLToolkit.Pipelines.Display;
using MLToolkit.Pipelines.Experiments;
using MLToolkit.Pipelines.Runs;
using Spectre.Console;

namespace MLToolkit.Pipelines;

/// <summary>The command line of the experiment host.</summary>
public static class HostCommand
{
    /// <summary>Builds the root command: <c>[experiment] [options]</c>.</summary>
    public static RootCommand Create()
    {
        var experiment = new Argument<string>("experiment")
        {
            Description = $"Experiment to run ({string.Join(", ", ExperimentCatalog.All.Select(e => e.Name))}), or 'bench' for the speed benchmark",
            DefaultValueFactory = _ => ExperimentCatalog.Default,
        };
        var epochs = new Option<int?>("--epochs") { Description = "Override the number of epochs" };
        var batchSize = new Option<int?>("--batch-size") { Description = "Override the batch size" };
        var learningRate = new Option<double?>("--learning-rate") { Description = "Override the base learning rate" };
        var seed = new Option<int>("--seed") { Description = "Seed of the run", DefaultValueFactory = _ => 1 };
        var data = new Option<string?>("--data") { Description = "Dataset folder (for datasets that are not vendored)" };
        var output = new Option<string>("--output") { Description = "Folder for run folders", DefaultValueFactory = _ => "runs" };
        var trainRows = new Option<int?>("--train-rows") { Description = "Use only the first N training images" };
        var testRows = new Option<int?>("--test-rows") { Description = "Use only the first N test images" };
        var list = new Option<bool>("--list") { Description = "List the experiments and exit" };
        var verbose = new Option<bool>("--verbose") { Description = "Show stack traces of errors" };

        var root = new RootCommand("MLToolkit experiment host: trains CNNs in ML.NET pipelines and writes a run folder.")
        {
            experiment, epochs, batchSize, learningRate, seed, data, output, trainRows, testRows, list, verbose,
        };
        root.SetAction(parse =>
        {
            if (parse.GetValue(list))
            {
                foreach (var e in ExperimentCatalog.All) Console.WriteLine($"{e.Name,-12} {e.Description}");
                return 0;
            }
            if (parse.GetValue(experiment) == "bench")
                return Bench(parse.GetValue(output)!);
            var settings = new RunSettings(parse.GetValue(epochs), parse.GetValue(batchSize), parse.GetValue(learningRate),
                parse.GetValue(seed), parse.GetValue(data), parse.GetValue(output)!, parse.GetValue(trainRows), parse.GetValue(testRows));
            return Run(parse.GetValue(experiment)!, settings, parse.GetValue(verbose));
        });
        return root;
    }

    /// <summary>Runs the speed benchmark and writes bench.json into a new run folder.</summary>
    static int Bench(string outputRoot)
    {
        var run = RunFolder.Create(outputRoot, "bench", DateTime.Now);
        Console.WriteLine($"Speed benchmark of the recipe network; run folder: {run.Path}");
        var result = Benchmarks.SpeedBenchmark.Run(Console.WriteLine);
        run.WriteMetrics(result);
        return 0;
    }

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
        try
        {
            var experiment = ExperimentCatalog.Find(name);
            var run = RunFolder.Create(settings.OutputRoot, experiment.Name, DateTime.Now);
            Console.WriteLine($"Experiment {experiment.Name}: {experiment.Description}");
            Console.WriteLine($"Run folder: {run.Path}");
            var progress = new ConsoleProgress(run);
            var context = new ExperimentContext(experiment.Name, settings, run, progress, cancellation.Token);
            var result = progress.Show(() => experiment.Run(context));

            Console.WriteLine($"Test accuracy: {result.Accuracy * 100:F2}% ({result.TestRows} test images; macro accuracy {result.MacroAccuracy * 100:F2}%, log-loss {result.LogLoss:F4})");
            if (result.MemberAccuracies.Count > 0)
                Console.WriteLine($"Ensemble members alone: {string.Join(", ", result.MemberAccuracies.Select(a => $"{a * 100:F2}%"))} accuracy");
            Console.WriteLine($"Training time: {result.TrainSeconds:F1}s on {result.TrainRows} images; evaluation {result.EvaluateSeconds:F1}s");
            Console.WriteLine($"Model: {result.ModelPath}");
            Console.WriteLine($"Metrics: {run.MetricsPath}");
            return 0;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("Cancelled.");
            return 130;
        }
        catch (Exception e)
        {
            if (verbose) AnsiConsole.WriteException(e);
            else Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
