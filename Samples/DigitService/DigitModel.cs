using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Serving;
using MLToolkit.Trainers.Scoring;

namespace MLToolkit.Samples.DigitService;

/// <summary>One 28×28 digit as the model reads it.</summary>
public sealed class DigitInput
{
    /// <summary>784 grey values in [0, 1], white digit on black, row by row.</summary>
    [VectorType(1, 28, 28)]
    public float[] Image { get; set; } = new float[784];

    /// <summary>Unused at prediction; the pipeline's first step (MapValueToKey on Label) needs the column to exist.</summary>
    public uint Label { get; set; }
}

/// <summary>The model's answer for one digit.</summary>
public sealed class DigitOutput
{
    /// <summary>Probabilities in key order.</summary>
    public float[] Score { get; set; } = [];
}

/// <summary>What <c>POST /predict</c> returns.</summary>
/// <param name="Label">The most probable class.</param>
/// <param name="Probabilities">Probability of each class, by class name.</param>
public sealed record Prediction(string Label, IReadOnlyDictionary<string, float> Probabilities);

/// <summary>
/// A saved model, loaded once, answering from many request threads. <c>PredictionEngine</c> is not
/// thread-safe: either a pool lends each request an engine (<see cref="EngineMode.Pool"/>) or each
/// request makes its own (<see cref="EngineMode.PerRequest"/>); BENCHMARKS.md compares them.
/// </summary>
public sealed class DigitModel
{
    readonly MLContext _ml = new MLContext().RegisterMLToolkit();
    readonly ITransformer _model;
    readonly ObjectPool<PredictionEngine<DigitInput, DigitOutput>> _pool;
    readonly string[] _classes;

    /// <summary>Loads <paramref name="path"/>: a model.zip (TorchSharp), or with <paramref name="onnx"/> a file exported as ONNX (ONNX Runtime, no libtorch).</summary>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="InvalidDataException">The model does not take 28×28 grey digits, or the ONNX file was not exported by MLToolkit.</exception>
    public DigitModel(string path, EngineMode mode, bool onnx = false)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' not found. Pass --model <model.zip> or --onnx <model.onnx>.", path);
        Mode = mode;
        Path = path;
        Backend = onnx ? "onnx" : "torchsharp";
        if (onnx)
        {
            // ML.NET's ApplyOnnxModel on ONNX Runtime: the same engines and pool, no TorchSharp call.
            var classifier = new OnnxClassifier(path, ml: _ml);
            if (classifier.Channels * classifier.Height * classifier.Width != 784)
                throw new InvalidDataException($"'{path}' takes {classifier.Channels}×{classifier.Height}×{classifier.Width} images; this service serves models of 28×28 grey digits.");
            _model = classifier.Model;
            _classes = classifier.Labels.ToArray();
        }
        else
        {
            _model = _ml.LoadModel(path, out var schema);
            // Checked at start, so an unsuitable model is refused here instead of answering 500 to every request.
            if (schema.GetColumnOrNull("Image") is not { Type: VectorDataViewType { Size: 784, ItemType: var item } } || item != NumberDataViewType.Single)
                throw new InvalidDataException(
                    $"Model '{path}' takes {string.Join(", ", schema.Select(c => $"{c.Name} ({c.Type})"))}; this service serves models of " +
                    "28×28 grey digits (an Image column of 784 floats), such as those of the mnist and mnist-best experiments.");
            // The Score slots follow the label keys; the key values (digits, or class names) live on the Label column.
            var output = _model.GetOutputSchema(schema);
            var label = output.GetColumnOrNull("Label");
            _classes = label is { } column && KeyValues.FromColumn(column) is { } keys
                ? keys.Values.ToArray()
                : Enumerable.Range(0, 10).Select(i => i.ToString()).ToArray();
        }
        _pool = new DefaultObjectPool<PredictionEngine<DigitInput, DigitOutput>>(new EnginePolicy(this), Environment.ProcessorCount * 4);
    }

    /// <summary>What scores: "torchsharp" (a model.zip) or "onnx" (an exported file on ONNX Runtime).</summary>
    public string Backend { get; }

    /// <summary>The model file.</summary>
    public string Path { get; }

    /// <summary>How engines are shared.</summary>
    public EngineMode Mode { get; }

    PredictionEngine<DigitInput, DigitOutput> CreateEngine() => _ml.Model.CreatePredictionEngine<DigitInput, DigitOutput>(_model);

    /// <summary>Scores 784 pixels.</summary>
    public Prediction Predict(float[] pixels)
    {
        var input = new DigitInput { Image = pixels };
        float[] scores;
        if (Mode == EngineMode.Pool)
        {
            var engine = _pool.Get();
            try { scores = engine.Predict(input).Score; }
            finally { _pool.Return(engine); }
        }
        else
        {
            using var engine = CreateEngine();
            scores = engine.Predict(input).Score;
        }
        int best = Array.IndexOf(scores, scores.Max());
        return new Prediction(_classes[best], _classes.Select((c, i) => (c, i)).OrderBy(x => x.c, StringComparer.Ordinal)
            .ToDictionary(x => x.c, x => scores[x.i]));
    }

    sealed class EnginePolicy(DigitModel model) : IPooledObjectPolicy<PredictionEngine<DigitInput, DigitOutput>>
    {
        public PredictionEngine<DigitInput, DigitOutput> Create() => model.CreateEngine();
        public bool Return(PredictionEngine<DigitInput, DigitOutput> engine) => true;
    }
}

/// <summary>How requests get a <c>PredictionEngine</c>.</summary>
public enum EngineMode
{
    /// <summary>Engines are pooled and lent to one request at a time.</summary>
    Pool,
    /// <summary>Every request creates (and disposes) its own engine.</summary>
    PerRequest,
}
