using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLToolkit.Datasets.Mnist;
using MLToolkit.Serving;
using MLToolkit.Trainers.Estimators;

namespace MLToolkit.Pipelines.Benchmarks;

/// <summary>Scoring speed of one backend: batch images/s and single-image <c>PredictionEngine</c> latency.</summary>
/// <param name="Backend">"MLToolkit model" (libtorch; a single image through ONNX Runtime where the networks export) or "ONNX Runtime" (the exported file through ApplyOnnxModel).</param>
/// <param name="BatchImagesPerSecond">Forward passes of 1,000 images (the network alone).</param>
/// <param name="TransformImagesPerSecond">ML.NET <c>Transform</c> of the 10,000 test images, read to the end.</param>
/// <param name="PredictionEngineMedianMs">Median of one <c>PredictionEngine.Predict</c>.</param>
public sealed record BackendSpeed(string Backend, double BatchImagesPerSecond, double TransformImagesPerSecond, double PredictionEngineMedianMs);

/// <summary>
/// <c>bench --onnx</c>: the recipe network (trained for one epoch on 10,000 MNIST images, or a saved model)
/// scored as a saved MLToolkit model (libtorch for batches; its PredictionEngine scores one image through ONNX Runtime
/// too) and, exported, by ONNX Runtime through ML.NET's <c>ApplyOnnxModel</c>; three
/// alternating rounds, medians, so both meet the same machine load.
/// </summary>
public static class OnnxSpeedBenchmark
{
    sealed class Digit
    {
        [VectorType(1, 28, 28)] public float[] Image { get; set; } = [];
        public uint Label { get; set; }
    }

    sealed class Scores
    {
        public float[] Score { get; set; } = [];
    }

    /// <summary>Runs the comparison; <paramref name="model"/> is a saved MNIST model, or null to train the recipe network.</summary>
    public static IReadOnlyList<BackendSpeed> Run(string? model, string folder, Action<string> report)
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = Mnist.Load(ml);
        string zip = model ?? Path.Combine(folder, "model.zip");
        if (model is null)
        {
            report("Training the recipe network for one epoch on 10,000 images...");
            var fitted = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Architecture = Architectures.MnistBestCnn(), Epochs = 1, BatchSize = 100 }))
                .Fit(ml.Data.TakeRows(train, 10_000));
            ml.Model.Save(fitted, train.Schema, zip);
        }
        var torch = ml.LoadModel(zip, out _).ForPrediction();
        string onnx = Path.Combine(folder, "model.onnx");
        torch.ExportOnnx(onnx);
        using var classifier = new OnnxClassifier(onnx, ml: ml);
        var cnn = torch.Flatten().OfType<CnnTransformer>().Single();
        var images = test.GetColumn<float[]>("Image").SelectMany(x => x).ToArray();
        int size = cnn.Scorer.Shape.Size, count = images.Length / size;
        using var session = new InferenceSession(onnx, new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount });
        var digits = ml.Data.CreateEnumerable<Digit>(test, reuseRowObject: false).Take(1050).ToArray();

        var rounds = new List<BackendSpeed>();
        for (int round = 1; round <= 3; round++)
        {
            rounds.Add(new BackendSpeed("MLToolkit model",
                Batches(count, (start, n) => cnn.Scorer.Score(images.AsSpan(start * size, n * size), n)),
                TransformRate(torch.Transform(test), count), Latency(ml.Model.CreatePredictionEngine<Digit, Scores>(torch), digits)));
            rounds.Add(new BackendSpeed("ONNX Runtime",
                Batches(count, (start, n) => RunSession(session, images, start, n, size)),
                TransformRate(classifier.Score(test), count), Latency(ml.Model.CreatePredictionEngine<Digit, Scores>(classifier.Model), digits)));
            report($"round {round}: " + string.Join("; ", rounds.TakeLast(2).Select(r =>
                $"{r.Backend} batch {r.BatchImagesPerSecond:F0}/s, Transform {r.TransformImagesPerSecond:F0}/s, engine {r.PredictionEngineMedianMs:F3} ms")));
        }
        var medians = rounds.GroupBy(r => r.Backend).Select(g => new BackendSpeed(g.Key,
            Statistics.Median(g.Select(r => r.BatchImagesPerSecond)), Statistics.Median(g.Select(r => r.TransformImagesPerSecond)), Statistics.Median(g.Select(r => r.PredictionEngineMedianMs)))).ToArray();
        report("medians of 3 rounds:");
        foreach (var m in medians)
            report($"  {m.Backend,-13} batch {m.BatchImagesPerSecond,7:F0} images/s   Transform {m.TransformImagesPerSecond,7:F0} images/s   PredictionEngine median {m.PredictionEngineMedianMs:F3} ms");
        return medians;
    }

    static void RunSession(InferenceSession session, float[] images, int start, int n, int size)
    {
        var input = new DenseTensor<float>(images.AsMemory(start * size, n * size), [n, 1, 28, 28]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.InputName, input)]);
    }

    static double Batches(int count, Action<int, int> score)
    {
        score(0, 1000); // warm-up
        var clock = Stopwatch.StartNew();
        for (int start = 0; start + 1000 <= count; start += 1000) score(start, 1000);
        return count / clock.Elapsed.TotalSeconds;
    }

    static double TransformRate(IDataView scored, int count)
    {
        var clock = Stopwatch.StartNew();
        int rows = scored.GetColumn<float[]>("Score").Count();
        if (rows != count) throw new InvalidOperationException($"{rows} rows scored of {count}.");
        return count / clock.Elapsed.TotalSeconds;
    }

    static double Latency(PredictionEngine<Digit, Scores> engine, Digit[] digits)
    {
        using (engine)
        {
            foreach (var digit in digits.Take(50)) engine.Predict(digit);
            var times = digits.Skip(50).Select(digit =>
            {
                long start = Stopwatch.GetTimestamp();
                engine.Predict(digit);
                return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }).ToList();
            return Statistics.Median(times);
        }
    }
}
