using Microsoft.ML.OnnxRuntime;

namespace MLToolkit.Trainers.Scoring;

/// <summary>
/// One image's class probabilities through ONNX Runtime: the scorer's networks exported as <c>ExportOnnx</c> exports
/// them (members, weights and combination included) and run on one thread. libtorch takes its generic path for a
/// batch of one (0.35–0.6 ms for the recipe network here: per-operation overhead, and oneDNN is not used for
/// single small images), ONNX Runtime fuses the graph and runs it in about 0.12 ms (BENCHMARKS.md,
/// "PredictionEngine latency"). Probabilities agree with libtorch's to about 1e-6.
/// </summary>
internal sealed class OnnxSingleImage : IDisposable
{
    readonly InferenceSession _session;
    readonly RunOptions _run = new();
    readonly long[] _shape;
    readonly int _classes;

    OnnxSingleImage(InferenceSession session, long[] shape, int classes) => (_session, _shape, _classes) = (session, shape, classes);

    /// <summary>
    /// The session for <paramref name="scorer"/>'s classifier, or null where it cannot have one: networks on a GPU,
    /// test-time views (drawn by torch), or a network the exporter does not know (its layers are then scored by libtorch).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static OnnxSingleImage? TryCreate(NetworkScorer scorer)
    {
        if (scorer.Device.type != TorchSharp.DeviceType.CPU || scorer.Settings.TestTimeViews > 0) return null;
        try
        {
            var labels = Enumerable.Range(0, scorer.Classes).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var model = OnnxExport.ClassifierBytes(scorer, labels);
            // One thread: a prediction is too small to share, and ONNX Runtime's pool would spin on the other cores.
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
            var session = new InferenceSession(model, options);
            return new OnnxSingleImage(session, [1, scorer.Shape.Channels, scorer.Shape.Height, scorer.Shape.Width], scorer.Classes);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException or OnnxRuntimeException)
        {
            // A layer the exporter does not write, or a graph ONNX Runtime refuses: libtorch scores, as for batches.
            // (Anything else, such as ONNX Runtime's assembly missing, is caught by NetworkScorer with the same outcome.)
            return null;
        }
    }

    /// <summary>Class probabilities of one image (channels × height × width values). Safe to call from several threads at once.</summary>
    public float[] Score(float[] image)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(image, _shape);
        using var outputs = _session.Run(_run, [OnnxExport.InputName], [input], [OnnxExport.ProbabilitiesName]);
        var probabilities = outputs[0].GetTensorDataAsSpan<float>();
        return probabilities[.._classes].ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        _run.Dispose();
    }
}
