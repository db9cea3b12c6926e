using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace MLToolkit.Serving;

/// <summary>
/// A CNN classifier exported by MLToolkit (<c>model.ExportOnnx(path)</c> or <c>export model.zip --onnx file</c>)
/// as an ML.NET model built from <c>ApplyOnnxModel</c>: it reads an image column of the pixels the network was
/// trained on (floats in [0, 1], channel-major, RGB) and adds <c>Score</c> (class probabilities, in the order of
/// <see cref="Labels"/>) and <c>PredictedLabel</c> (the most probable label), as the TorchSharp model does.
/// Runs on ONNX Runtime alone: no TorchSharp and no libtorch in the app.
/// </summary>
public sealed class OnnxClassifier : IDisposable
{
    /// <summary>The column of class probabilities.</summary>
    public const string ScoreColumnName = "Score";

    /// <summary>The column of the most probable label.</summary>
    public const string PredictedLabelColumnName = "PredictedLabel";

    // The exporter's names (MLToolkit.OnnxExport); repeated here because this library must not depend on the trainers.
    const string InputName = "input", ProbabilitiesName = "probabilities";
    const string LabelsKey = "mltoolkit.labels", InputShapeKey = "mltoolkit.input_shape", TaskKey = "mltoolkit.task";

    readonly ITransformer _chain, _model;

    /// <summary>Loads the exported file <paramref name="path"/>; the images are read from <paramref name="imageColumnName"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a classifier exported by MLToolkit (the message says what it lacks).</exception>
    public OnnxClassifier(string path, string imageColumnName = "Image", MLContext? ml = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX file '{path}' not found.", path);
        Path = path;
        var context = ml ?? new MLContext();
        (Labels, Channels, Height, Width) = ReadMetadata(path);
        int size = Channels * Height * Width;
        var schema = SchemaDefinition.Create(typeof(PixelsRow));
        schema[nameof(PixelsRow.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        schema[nameof(PixelsRow.Image)].ColumnName = imageColumnName;
        var empty = context.Data.LoadFromEnumerable(Array.Empty<PixelsRow>(), schema);
        var labels = Labels.ToArray();
        var pipeline = context.Transforms.CopyColumns(InputName, imageColumnName)
            .Append(context.Transforms.ApplyOnnxModel([ProbabilitiesName], [InputName], path,
                shapeDictionary: new Dictionary<string, int[]> { [InputName] = [1, Channels, Height, Width] }, gpuDeviceId: null, fallbackToCpu: false))
            .Append(context.Transforms.CopyColumns(ScoreColumnName, ProbabilitiesName))
            .Append(context.Transforms.CustomMapping<ScoreRow, LabelRow>((score, label) => label.PredictedLabel = labels[ArgMax(score.Score)], contractName: null))
            .Append(context.Transforms.DropColumns(InputName, ProbabilitiesName));
        _chain = pipeline.Fit(empty);
        _model = new Shared(_chain);
    }

    /// <summary>The exported file.</summary>
    public string Path { get; }

    /// <summary>The class labels in score order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Channels of the input images.</summary>
    public int Channels { get; }

    /// <summary>Height of the input images in pixels.</summary>
    public int Height { get; }

    /// <summary>Width of the input images in pixels.</summary>
    public int Width { get; }

    /// <summary>
    /// The ML.NET model: <c>Transform</c> scores a data view, <c>CreatePredictionEngine</c> one row at a time.
    /// Engines made from it may be disposed freely: disposing a <c>PredictionEngine</c> disposes its model, which
    /// would close the ONNX Runtime session under every other engine (one engine per web request did exactly
    /// that), so this model leaves the session to <see cref="Dispose"/>.
    /// </summary>
    public ITransformer Model => _model;

    /// <summary>Adds <c>Score</c> and <c>PredictedLabel</c> to <paramref name="images"/>.</summary>
    public IDataView Score(IDataView images) => _model.Transform(images);

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => (_chain as IDisposable)?.Dispose();

    /// <summary>The fitted chain without <see cref="IDisposable"/>, so that engines do not dispose it.</summary>
    sealed class Shared(ITransformer inner) : ITransformer
    {
        public bool IsRowToRowMapper => inner.IsRowToRowMapper;
        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inner.GetOutputSchema(inputSchema);
        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => inner.GetRowToRowMapper(inputSchema);
        public IDataView Transform(IDataView input) => inner.Transform(input);
        public void Save(ModelSaveContext ctx) => inner.Save(ctx);
    }

    static (IReadOnlyList<string> Labels, int Channels, int Height, int Width) ReadMetadata(string path)
    {
        Dictionary<string, string> metadata;
        try
        {
            using var session = new InferenceSession(path);
            metadata = session.ModelMetadata.CustomMetadataMap;
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model ONNX Runtime can load: {e.Message}", e);
        }
        string Get(string key) => metadata.TryGetValue(key, out var value) ? value
            : throw new InvalidDataException($"'{path}' has no '{key}' metadata: it was not exported by MLToolkit (export model.zip --onnx file).");
        if (Get(TaskKey) != "classification")
            throw new InvalidDataException($"'{path}' is a {Get(TaskKey)} model; OnnxClassifier serves classifiers.");
        var labels = System.Text.Json.JsonSerializer.Deserialize<string[]>(Get(LabelsKey)) ?? [];
        var shape = Get(InputShapeKey).Split('×').Select(int.Parse).ToArray();
        return (labels, shape[0], shape[1], shape[2]);
    }

    static int ArgMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    sealed class PixelsRow
    {
        public float[] Image { get; set; } = [];
    }

    sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }

    sealed class LabelRow
    {
        public string PredictedLabel { get; set; } = "";
    }
}
