// Scores the vendored MNIST test set with an exported model, on ONNX Runtime alone (no TorchSharp, no libtorch):
//   dotnet run -c Release --project Pipelines -- export runs/<run>/model.zip --onnx digits.onnx
//   dotnet run -c Release --project Samples/OnnxDigits -- --onnx digits.onnx [--rows 10000] [--latency 2000]
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Mnist;
using MLToolkit.Serving;

string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
int Count(string name, int fallback) => Value(name) is { } text
    ? int.TryParse(text, out int n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive whole number; it is '{text}'.")
    : fallback;

try
{
    string path = Value("--onnx") ?? throw new ArgumentException("Pass --onnx <file> (a model exported with: export model.zip --onnx file).");
    int rows = Count("--rows", 10_000), latencyRuns = Count("--latency", 0);
    var ml = new MLContext();
    using var classifier = new OnnxClassifier(path, ml: ml);
    if (classifier.Channels * classifier.Height * classifier.Width != 784)
        throw new ArgumentException($"'{path}' takes {classifier.Channels}×{classifier.Height}×{classifier.Width} images; this sample scores 28×28 grey MNIST digits.");
    var test = ml.Data.TakeRows(Mnist.Load(ml).Test, rows);
    Console.WriteLine($"Model {path}: labels {string.Join(", ", classifier.Labels)}; ONNX Runtime through ML.NET ApplyOnnxModel");

    var clock = Stopwatch.StartNew();
    var scored = classifier.Score(test);
    var predicted = scored.GetColumn<string>(OnnxClassifier.PredictedLabelColumnName).ToArray();
    double seconds = clock.Elapsed.TotalSeconds;
    var truth = test.GetColumn<uint>("Label").ToArray();
    int correct = predicted.Zip(truth, (p, t) => p == t.ToString()).Count(same => same);
    Console.WriteLine($"Accuracy: {100.0 * correct / predicted.Length:F2}% ({correct} of {predicted.Length} MNIST test images)");
    Console.WriteLine($"Batch scoring: {predicted.Length / seconds:F0} images/s (Transform of {predicted.Length} images, {seconds:F2} s)");

    if (latencyRuns > 0)
    {
        // One image at a time through a PredictionEngine, as a web request scores; the first calls warm up.
        var images = ml.Data.CreateEnumerable<Digit>(ml.Data.TakeRows(test, 100), reuseRowObject: false).ToArray();
        using var engine = ml.Model.CreatePredictionEngine<Digit, Scores>(classifier.Model);
        for (int i = 0; i < 50; i++) engine.Predict(images[i % images.Length]);
        var times = new double[latencyRuns];
        for (int i = 0; i < latencyRuns; i++)
        {
            long start = Stopwatch.GetTimestamp();
            engine.Predict(images[i % images.Length]);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        Console.WriteLine($"PredictionEngine: median {times[latencyRuns / 2]:F3} ms, 95th percentile {times[(int)(latencyRuns * 0.95)]:F3} ms ({latencyRuns} single images)");
    }
    return 0;
}
catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

sealed class Digit
{
    [VectorType(784)] public float[] Image { get; set; } = [];
}

sealed class Scores
{
    public float[] Score { get; set; } = [];
    public string PredictedLabel { get; set; } = "";
}
