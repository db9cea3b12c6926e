using MLToolkit.Trainers.Networks;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Trainers.Backend;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Trainers.Training;
using MLToolkit.Trainers.Detection;
using MLToolkit.Trainers.Segmentation;

namespace MLToolkit.Pipelines.Runs;

/// <summary>
/// What an experiment gets from the host: the <see cref="MLContext"/>, the user's overrides, the
/// progress display and the run folder; and the common tail of every experiment (fit, evaluate, save).
/// </summary>
public sealed class ExperimentContext(string experiment, RunSettings settings, RunFolder run,
    ITrainingCallback progress, CancellationToken cancellation)
{
    /// <summary>The context every pipeline of the run is built with (seeded from the settings).</summary>
    public MLContext ML { get; } = new(seed: settings.Seed);

    /// <summary>The user's overrides.</summary>
    public RunSettings Settings => settings;

    /// <summary>The run folder.</summary>
    public RunFolder Run => run;

    /// <summary>Applies the user's overrides to an experiment's trainer options and attaches the progress display.</summary>
    /// <param name="options">The experiment's settings.</param>
    /// <param name="classifier">Whether <c>--arch</c> names a classifier of the zoo (segmentation reads it itself).</param>
    public CnnOptions Configure(CnnOptions options, bool classifier = true)
    {
        if (settings.Epochs is { } epochs) options.Epochs = epochs;
        if (settings.BatchSize is { } batch) options.BatchSize = batch;
        if (settings.LearningRate is { } rate) options.Optimizer = options.Optimizer.WithLearningRate(rate);
        if (settings.MixedPrecision is { } mixed) options.MixedPrecision = mixed;
        if (options.MixedPrecision && BFloat16Speed.SlowReason(options.Device) is { } slow)
            Console.WriteLine($"Mixed precision: training in float32 instead, because {slow}.");
        if (classifier && settings.Architecture is { } name) options.Architecture = ArchitectureRegistry.Create(name);
        // Every epoch is checkpointed, so Ctrl+C (or a crash) loses at most the epoch in progress.
        options.CheckpointDirectory ??= settings.ResumeFrom ?? CheckpointFolder;
        options.Callbacks.Add(progress);
        options.CancellationToken = cancellation;
        return options;
    }

    /// <summary>Where this run's checkpoints go (unless it resumes another run's).</summary>
    public string CheckpointFolder => Path.Combine(run.Path, "checkpoints");

    /// <summary>The folder given with <c>--data</c>, or <paramref name="fallback"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">Neither exists.</exception>
    public string DataDirectory(string fallback)
    {
        var path = settings.DataDirectory ?? fallback;
        if (!Directory.Exists(path))
            throw new DirectoryNotFoundException($"Data folder not found: '{Path.GetFullPath(path)}'. Pass --data <folder>.");
        return path;
    }

    /// <summary>
    /// Fits <paramref name="pipeline"/>, evaluates it on <paramref name="test"/>, saves the model and the metrics.
    /// With <paramref name="testTimeViews"/> &gt; 0 the model averages that many extra views drawn by its own
    /// augmentation policy (the single-view accuracy is printed too), and is saved that way.
    /// </summary>
    /// <param name="pipeline">The estimators to fit.</param>
    /// <param name="train">Training rows.</param>
    /// <param name="test">Test rows.</param>
    /// <param name="testTimeViews">Extra augmented views averaged at prediction.</param>
    /// <param name="recorded">What the run was trained with (data, classes, sizes, architecture…), recorded in metrics.json.</param>
    public ExperimentResult FitAndEvaluate(IEstimator<ITransformer> pipeline, IDataView train, IDataView test, int testTimeViews = 0,
        IReadOnlyDictionary<string, object?>? recorded = null)
    {
        (train, test) = Slices(train, test);

        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        if (testTimeViews > 0)
        {
            var single = ML.MulticlassClassification.Evaluate(model.Transform(test));
            Console.WriteLine($"Test accuracy of the single view: {single.MicroAccuracy:P2} (log-loss {single.LogLoss:F4}); " +
                $"with {testTimeViews} test-time augmented views averaged in:");
            model = model.WithTestTimeAugmentation(testTimeViews);
        }

        clock.Restart();
        var metrics = ML.MulticlassClassification.Evaluate(model.Transform(test));
        double evaluateSeconds = clock.Elapsed.TotalSeconds;

        // The saved model is the one that serves: without training-only stages (e.g. the label's key mapping).
        run.EnsureCreated();
        ML.Model.Save(model.ForPrediction(), train.Schema, run.ModelPath);
        TrainedOn.Of(experiment, settings.DataDirectory).WriteTo(run.ModelPath);
        var cnn = FindCnn(model);
        var confusion = metrics.ConfusionMatrix.Counts.Select(row => row.ToArray()).ToArray();
        var result = new ExperimentResult(experiment, metrics.MicroAccuracy, metrics.MacroAccuracy, metrics.LogLoss,
            train.GetRowCount() ?? -1, test.GetRowCount() ?? -1, trainSeconds, evaluateSeconds,
            confusion, cnn?.History ?? [], run.ModelPath, MemberAccuracies(model, cnn, test), cnn?.LabelValues?.Values, recorded);
        run.WriteMetrics(result);
        // Plots are a convenience: a failure is reported, never fatal to a finished run.
        if (PlotsTool.Draw(run) is { } warning) Console.Error.WriteLine($"warning: {warning}");
        return result;
    }

    /// <summary>
    /// Fits a segmentation <paramref name="trainer"/>, evaluates it on <paramref name="test"/> (metrics from one
    /// confusion matrix over all test pixels), saves the model, the metrics and a picture of test scenes.
    /// </summary>
    public ExperimentResult FitAndEvaluateSegmentation(SegmentationTrainer trainer, IDataView train, IDataView test,
        IReadOnlyDictionary<string, object?>? recorded = null)
    {
        (train, test) = Slices(train, test);
        var clock = Stopwatch.StartNew();
        var model = trainer.Fit(train);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var scored = model.Transform(test);
        var metrics = ML.Segmentation().Evaluate(scored, model.Classes, trainer.Options.MaskColumnName, model.PredictedMaskColumnName);
        double evaluateSeconds = clock.Elapsed.TotalSeconds;

        run.EnsureCreated();
        ML.Model.Save(model, train.Schema, run.ModelPath);
        TrainedOn.Of(experiment, settings.DataDirectory).WriteTo(run.ModelPath);
        var pictures = Path.Combine(run.Path, "scenes.png");
        SegmentationPictures.Write(scored, trainer.Options.MaskColumnName, model.PredictedMaskColumnName, pictures);
        var result = new ExperimentResult(experiment, metrics.PixelAccuracy, metrics.MeanClassAccuracy, double.NaN,
            train.GetRowCount() ?? -1, test.GetRowCount() ?? -1, trainSeconds, evaluateSeconds,
            metrics.ConfusionMatrix.Select(row => row.Select(v => (double)v).ToArray()).ToArray(), [model.History], run.ModelPath, [],
            model.ClassNames, recorded,
            new SegmentationSummary(metrics.MeanIoU, metrics.PerClassIoU.Select(v => double.IsNaN(v) ? (double?)null : v).ToArray(), pictures));
        run.WriteMetrics(result);
        if (PlotsTool.Draw(run) is { } warning) Console.Error.WriteLine($"warning: {warning}");
        return result;
    }

    /// <summary>Trains a detector, scores the test scenes, saves the model and writes metrics and pictures.</summary>
    public ExperimentResult FitAndEvaluateDetection(DetectionTrainer trainer, IDataView train, IDataView test,
        IReadOnlyDictionary<string, object?>? recorded = null)
    {
        (train, test) = Slices(train, test);
        var clock = Stopwatch.StartNew();
        var model = trainer.Fit(train);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        // Materialised once, so the speed counts the network, decoding and NMS of every test image.
        var scored = ML.Data.Cache(model.Transform(test));
        long rows = scored.GetColumn<float[]>(model.Settings.ScoresColumnName).LongCount();
        double evaluateSeconds = clock.Elapsed.TotalSeconds;
        var metrics = ML.Detection().Evaluate(scored, model.Settings.Classes, model.Settings.LabelsColumnName, model.Settings.BoxesColumnName,
            model.Settings.PredictedLabelsColumnName, model.Settings.PredictedBoxesColumnName, model.Settings.ScoresColumnName);

        run.EnsureCreated();
        ML.Model.Save(model, train.Schema, run.ModelPath);
        TrainedOn.Of(experiment, settings.DataDirectory).WriteTo(run.ModelPath);
        var pictures = Path.Combine(run.Path, "scenes.png");
        DetectionPictures.Write(scored, pictures, model.Settings.PredictedLabelsColumnName, model.Settings.PredictedBoxesColumnName, model.Settings.ScoresColumnName);
        var result = new ExperimentResult(experiment, metrics.VocMeanAP50, metrics.CocoMeanAP, double.NaN,
            train.GetRowCount() ?? -1, rows, trainSeconds, evaluateSeconds, [], [model.History], run.ModelPath, [],
            model.Settings.ClassNames, recorded, Detection: new DetectionSummary(metrics.VocMeanAP50, metrics.CocoMeanAP, metrics.CocoAP50, metrics.CocoAP75,
                metrics.VocAP50PerClass.Select(v => double.IsNaN(v) ? (double?)null : v).ToArray(), rows / evaluateSeconds, pictures));
        run.WriteMetrics(result);
        if (PlotsTool.Draw(run) is { } warning) Console.Error.WriteLine($"warning: {warning}");
        return result;
    }

    /// <summary>The first --train-rows and --test-rows rows, when the user asked for a quick run.</summary>
    (IDataView Train, IDataView Test) Slices(IDataView train, IDataView test) =>
        (settings.TrainRows is { } trainRows ? ML.Data.TakeRows(train, trainRows) : train,
         settings.TestRows is { } testRows ? ML.Data.TakeRows(test, testRows) : test);

    /// <summary>Each ensemble member's accuracy alone: the data before the CNN stage, scored by one member.</summary>
    IReadOnlyList<double> MemberAccuracies(ITransformer model, CnnTransformer? cnn, IDataView test)
    {
        if (cnn is null || cnn.Scorer.Networks.Count < 2) return [];
        var before = test;
        foreach (var stage in model.Flatten().TakeWhile(t => !ReferenceEquals(t, cnn))) before = stage.Transform(before);
        return Enumerable.Range(0, cnn.Scorer.Networks.Count)
            .Select(i => ML.MulticlassClassification.Evaluate(cnn.Member(i).Transform(before)).MicroAccuracy)
            .ToArray();
    }

    static CnnTransformer? FindCnn(ITransformer model) => model.Flatten().OfType<CnnTransformer>().FirstOrDefault();
}
