using System.Text.Json;
using Microsoft.ML;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Trainers.Onnx;
using MLToolkit.Trainers.Onnx.Export;
using MLToolkit.Trainers.Scoring;
using MLToolkit.Trainers.Segmentation;
using Onnx;
using static TorchSharp.torch;

namespace MLToolkit;

/// <summary>
/// Writes a trained or loaded model's networks as one ONNX file, to serve with ONNX Runtime (or ML.NET's
/// <c>ApplyOnnxModel</c>) on any OS without libtorch. The graph takes <c>input</c>, a batch of images as the
/// toolkit's network sees them (float, N × C × H × W, pixels in [0, 1], RGB order; any input normalisation
/// of the network is inside the graph) and gives <c>probabilities</c>: N × classes for a classifier (an
/// ensemble combined as the model combines it), N × classes × H × W for a segmentation model, which also
/// gives <c>mask</c> (int64, N × H × W, the most probable class of each pixel); a detector gives its raw <c>grid</c>
/// (N × (5 + classes) × rows × columns: objectness, box and class logits per cell; decode as <c>GridTargets.Decode</c>
/// does, stride in <c>mltoolkit.stride</c>). The batch size is dynamic.
/// The file's metadata records the labels (<c>mltoolkit.labels</c>, JSON array in class order), the input
/// shape and the task.
/// </summary>
public static class OnnxExport
{
    /// <summary>Name of the graph's input.</summary>
    public const string InputName = "input";

    /// <summary>Name of the graph's class probabilities.</summary>
    public const string ProbabilitiesName = "probabilities";

    /// <summary>Name of a segmentation graph's predicted class per pixel.</summary>
    public const string MaskName = "mask";

    /// <summary>Metadata key of the labels (a JSON array of strings in class order).</summary>
    public const string LabelsKey = "mltoolkit.labels";

    /// <summary>Metadata key of the input shape, "C×H×W".</summary>
    public const string InputShapeKey = "mltoolkit.input_shape";

    /// <summary>Metadata key of the task: "classification", "segmentation" or "detection".</summary>
    public const string TaskKey = "mltoolkit.task";

    /// <summary>The ONNX operator set of the files written.</summary>
    public const int OpsetVersion = OnnxGraphWriter.OpsetVersion;

    /// <summary>What an exported file says about itself: its task, its input shape ("C×H×W") and its labels in class order.</summary>
    public sealed record Metadata(string Task, string InputShape, IReadOnlyList<string> Labels);

    /// <summary>Reads the metadata the exporter wrote into <paramref name="path"/> (with the ONNX protobuf types, no runtime needed).</summary>
    /// <exception cref="InvalidDataException">The file is not an ONNX file written by the exporter.</exception>
    public static Metadata ReadMetadata(string path)
    {
        var model = OnnxGraph.ReadModel(path);
        var properties = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        string Get(string key) => properties.TryGetValue(key, out var value) ? value
            : throw new InvalidDataException($"'{path}' has no '{key}' metadata: it was not written by MLToolkit's ONNX export.");
        return new Metadata(Get(TaskKey), Get(InputShapeKey), JsonSerializer.Deserialize<string[]>(Get(LabelsKey)) ?? []);
    }

    /// <summary>
    /// Writes the CNN stage of <paramref name="model"/> (a classifier, an ensemble or a segmentation model;
    /// trained with <c>Fit</c> or loaded) to <paramref name="path"/> as ONNX (opset 17). Nothing is written
    /// when the model cannot be exported.
    /// </summary>
    /// <exception cref="ArgumentException">The model has no CNN stage.</exception>
    /// <exception cref="NotSupportedException">A part cannot be written as ONNX (a custom module, named by its path; test-time augmentation).</exception>
    public static void ExportOnnx(this ITransformer model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var stages = model.Flatten().ToList();
        if (stages.OfType<CnnTransformer>().FirstOrDefault() is { } classifier)
        {
            var settings = classifier.Scorer.Settings;
            if (settings.TestTimeViews > 0)
                throw new NotSupportedException($"The model averages {settings.TestTimeViews} test-time augmented views, which the ONNX exporter does not write: " +
                                                "export model.WithTestTimeAugmentation(0) and average views in the serving app if needed.");
            var labels = classifier.LabelValues?.Values ?? Enumerable.Range(0, classifier.Scorer.Classes).Select(i => i.ToString()).ToArray();
            Write(classifier.Scorer, labels, OnnxTask.Classification, path);
        }
        else if (stages.OfType<SegmentationTransformer>().FirstOrDefault() is { } segmenter)
        {
            var labels = segmenter.ClassNames ?? Enumerable.Range(0, segmenter.Classes).Select(i => i.ToString()).ToArray();
            Write(segmenter.Scorer, labels, OnnxTask.Segmentation, path);
        }
        else if (stages.OfType<Trainers.Detection.DetectionTransformer>().FirstOrDefault() is { } detector)
        {
            var labels = detector.Settings.ClassNames ?? Enumerable.Range(0, detector.Settings.Classes).Select(i => i.ToString()).ToArray();
            Write(detector.Scorer, labels, OnnxTask.Detection, path, detector.Settings.Architecture.StrideFor(detector.Scorer.Shape));
        }
        else
        {
            throw new ArgumentException("The model has no CNN stage (a CnnTransformer, SegmentationTransformer or DetectionTransformer) to export as ONNX.", nameof(model));
        }
    }

    /// <summary>What an exported graph gives.</summary>
    internal enum OnnxTask { Classification, Segmentation, Detection }

    /// <summary>Name of a detector's raw grid output.</summary>
    public const string GridName = "grid";

    /// <summary>Metadata key of a detector's grid stride in pixels.</summary>
    public const string StrideKey = "mltoolkit.stride";

    /// <summary>
    /// Writes the networks of <paramref name="scorer"/>, combined as it combines them, with softmax probabilities out; a
    /// detector's raw grid instead (N × (5 + classes) × rows × columns, see GridTargets), whose decoding and
    /// non-maximum suppression the serving app does.
    /// </summary>
    internal static void Write(NetworkScorer scorer, IReadOnlyList<string> labels, OnnxTask task, string path, int stride = 0)
    {
        var (graph, metadata) = Graph(scorer, labels, task, stride);
        graph.Save(path, metadata);
    }

    /// <summary>What <see cref="Write"/> writes, as bytes (a classifier's: single-image scoring loads them into a session).</summary>
    internal static byte[] ClassifierBytes(NetworkScorer scorer, IReadOnlyList<string> labels)
    {
        var (graph, metadata) = Graph(scorer, labels, OnnxTask.Classification, 0);
        return graph.ToBytes(metadata);
    }

    static (OnnxGraphWriter Graph, Dictionary<string, string> Metadata) Graph(NetworkScorer scorer, IReadOnlyList<string> labels, OnnxTask task, int stride)
    {
        bool segmentation = task == OnnxTask.Segmentation;
        var shape = scorer.Shape;
        var graph = new OnnxGraphWriter();
        var exporter = new ModuleExporter(graph);
        long[] inputShape = [shape.Channels, shape.Height, shape.Width];
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            graph.Input(InputName, inputShape);
            graph.Reserve(ProbabilitiesName);
            graph.Reserve(MaskName);
            graph.Reserve(GridName);
            if (task == OnnxTask.Detection)
            {
                var grid = exporter.Export(scorer.Networks[0], new OnnxValue(InputName, zeros([1, .. inputShape], device: scorer.Device)), "");
                graph.Node("Identity", [grid.Name], GridName);
                graph.Output(GridName, TensorProto.Types.DataType.Float, grid.Shape);
            }
            var input = new OnnxValue(InputName, zeros([1, .. inputShape], device: scorer.Device));
            var weights = scorer.Settings.Weights ?? Enumerable.Repeat(1.0, scorer.Networks.Count).ToArray();
            double total = weights.Sum();
            var contributions = new List<string>();
            long[]? outputShape = null;
            for (int i = 0; task != OnnxTask.Detection && i < scorer.Networks.Count; i++)
            {
                if (weights[i] == 0) continue;
                var network = scorer.Networks[i];
                network.eval();
                var logits = exporter.Export(network, input, scorer.Networks.Count == 1 ? "" : $"member{i + 1}");
                outputShape = logits.Shape;
                string contribution = graph.Node("Softmax", [logits.Name], ("axis", 1));
                if (scorer.Settings.Combination == EnsembleCombination.MajorityVote)
                {
                    // A vote: 1 for the member's most probable class, as one_hot(argmax) does (ties between
                    // exactly equal probabilities would count twice; torch's argmax takes the first).
                    var best = graph.Node("ReduceMax", [contribution], ("axes", new long[] { 1 }), ("keepdims", 1));
                    contribution = graph.Node("Cast", [graph.Node("Equal", [contribution, best])], ("to", (int)TensorProto.Types.DataType.Float));
                }
                if (scorer.Networks.Count > 1)
                    contribution = graph.Node("Mul", [contribution, graph.Constant("member_weight", [(float)(weights[i] / total)], [])]);
                contributions.Add(contribution);
            }
            if (task != OnnxTask.Detection)
            {
                graph.Node(contributions.Count == 1 ? "Identity" : "Sum", [.. contributions], ProbabilitiesName);
                graph.Output(ProbabilitiesName, TensorProto.Types.DataType.Float, outputShape!);
            }
            if (segmentation)
            {
                graph.Node("ArgMax", [ProbabilitiesName], MaskName, ("axis", 1), ("keepdims", 0));
                graph.Output(MaskName, TensorProto.Types.DataType.Int64, [shape.Height, shape.Width]);
            }
        }
        var metadata = new Dictionary<string, string>
        {
            [LabelsKey] = JsonSerializer.Serialize(labels),
            [InputShapeKey] = $"{shape.Channels}×{shape.Height}×{shape.Width}",
            [TaskKey] = task.ToString().ToLowerInvariant(),
        };
        if (task == OnnxTask.Detection) metadata[StrideKey] = stride.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (graph, metadata);
    }
}
