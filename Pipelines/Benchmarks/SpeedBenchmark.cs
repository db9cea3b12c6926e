using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Mnist;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Trainers.Training;

namespace MLToolkit.Pipelines.Benchmarks;

/// <summary>Results of <see cref="SpeedBenchmark"/>.</summary>
/// <param name="TrainImagesPerSecond">Training throughput of the recipe network (batch 100, second epoch, augmentation on).</param>
/// <param name="BatchInferenceImagesPerSecond">Scoring throughput with batches of 1,000 images.</param>
/// <param name="TransformImagesPerSecond">Scoring throughput of <c>Transform</c> + <c>Evaluate</c> (row by row, as ML.NET reads).</param>
/// <param name="PredictionEngineMedianMs">Median latency of one <c>PredictionEngine.Predict</c>.</param>
/// <param name="PredictionEngineP99Ms">99th percentile latency of one <c>PredictionEngine.Predict</c>.</param>
public sealed record SpeedResult(double TrainImagesPerSecond, double BatchInferenceImagesPerSecond,
    double TransformImagesPerSecond, double PredictionEngineMedianMs, double PredictionEngineP99Ms);

/// <summary>
/// <c>-- bench</c>: speed of the recipe network (Conv-BN-ReLU 32/64/128, Dense 256) on this machine —
/// training images/s, batch inference images/s, and single-image <c>PredictionEngine</c> latency.
/// </summary>
public static class SpeedBenchmark
{
    /// <summary>Input row of the prediction engine.</summary>
    public sealed class Digit
    {
        /// <summary>The image.</summary>
        [VectorType(1, 28, 28)] public float[] Image { get; set; } = [];
        /// <summary>The label (unused for prediction, required by the key mapping).</summary>
        public uint Label { get; set; }
    }

    /// <summary>Output row of the prediction engine.</summary>
    public sealed class Prediction
    {
        /// <summary>The predicted digit.</summary>
        public uint PredictedLabel { get; set; }
    }

    /// <summary>Runs the measurements; <paramref name="report"/> gets one line per step.</summary>
    public static SpeedResult Run(Action<string> report)
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = Mnist.Load(ml);
        var epochs = new List<EpochSummary>();
        var trainer = ml.MulticlassClassification.Trainers.Cnn(new CnnOptions
        {
            Architecture = Architectures.MnistBestCnn(), Epochs = 2, BatchSize = 100,
            Callbacks = { new ProgressCallback(onEpoch: (_, s) => epochs.Add(s)) },
        });
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Augment("Image", Augmentations.RandomAffine(10, 0.1, 0.1)))
            .Append(trainer);
        const int trainRows = 10000;
        var model = pipeline.Fit(ml.Data.TakeRows(train, trainRows));
        // The first epoch includes one-off warm-up (allocator, oneDNN kernels): time the second.
        double trainRate = trainRows / epochs[^1].Seconds;
        report($"training: {trainRate:F0} images/s (batch 100, augmentation on)");

        var cnn = model.LastTransformer;
        var images = test.GetColumn<float[]>("Image").SelectMany(x => x).ToArray();
        int size = cnn.Scorer.Shape.Size, count = images.Length / size;
        cnn.Scorer.Score(images.AsSpan(0, 1000 * size), 1000);
        var clock = Stopwatch.StartNew();
        for (int start = 0; start + 1000 <= count; start += 1000)
            cnn.Scorer.Score(images.AsSpan(start * size, 1000 * size), 1000);
        double batchRate = count / clock.Elapsed.TotalSeconds;
        report($"batch inference: {batchRate:F0} images/s (batch 1,000)");

        clock.Restart();
        ml.MulticlassClassification.Evaluate(model.Transform(test));
        double transformRate = count / clock.Elapsed.TotalSeconds;
        report($"Transform + Evaluate: {transformRate:F0} images/s (row by row)");

        var engine = ml.Model.CreatePredictionEngine<Digit, Prediction>(model);
        var digits = ml.Data.CreateEnumerable<Digit>(test, reuseRowObject: false).Take(1050).ToArray();
        foreach (var digit in digits.Take(50)) engine.Predict(digit);
        var latencies = new List<double>();
        foreach (var digit in digits.Skip(50))
        {
            var one = Stopwatch.StartNew();
            engine.Predict(digit);
            latencies.Add(one.Elapsed.TotalMilliseconds);
        }
        latencies.Sort();
        double median = Statistics.Median(latencies), p99 = latencies[(int)(latencies.Count * 0.99)];
        report($"PredictionEngine: median {median:F2} ms, p99 {p99:F2} ms per image");
        return new SpeedResult(trainRate, batchRate, transformRate, median, p99);
    }
}
