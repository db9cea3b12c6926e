using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Augmentation;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Backend;
using MLToolkit.Trainers.Scoring;
using MLToolkit.Trainers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Estimators;

/// <summary>
/// ML.NET estimator that trains a convolutional network on an image column and a key-typed label
/// column. Its <see cref="CnnTransformer"/> adds <c>Score</c> and <c>PredictedLabel</c>, like
/// ML.NET's own multiclass trainers. Create it with
/// <c>ml.MulticlassClassification.Trainers.Cnn(options)</c>.
/// </summary>
public sealed class CnnTrainer : IEstimator<CnnTransformer>
{
    readonly IHost _host;

    /// <summary>Creates the trainer; the options are checked here.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public CnnTrainer(IHostEnvironment env, CnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _host = env.Register(nameof(CnnTrainer));
    }

    /// <summary>The trainer's settings.</summary>
    public CnnOptions Options { get; }

    /// <summary>Trains the network on every row of <paramref name="input"/>.</summary>
    public CnnTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var network = TrainNetwork(input, Options, Options.Seed ?? _host.Rand.Next(), (1, 1), out var shape, out var architecture, out var history);
        var label = input.Schema[Options.LabelColumnName];
        var scorer = new NetworkScorer([network], shape, TensorDataset.LabelClasses(label), TorchRuntime.ResolveDevice(Options.Device));
        return new CnnTransformer(Options.FeatureColumnName, scorer, [architecture], KeyValues.FromColumn(label), [history]);
    }

    /// <summary>
    /// Trains one classifier with <paramref name="options"/> and <paramref name="seed"/>; the shared core of
    /// the single trainer and the ensemble.
    /// </summary>
    internal static nn.Module<Tensor, Tensor> TrainNetwork(IDataView input, CnnOptions options, int seed,
        (int Index, int Count) model, out ImageShape shape, out IArchitecture architecture, out IReadOnlyList<EpochSummary> history)
    {
        var imageColumn = ImageColumns.Require(input.Schema, options.FeatureColumnName, "image");
        var imageShape = shape = options.ImageShape ?? ImageShape.FromColumn(imageColumn);
        // Pretrained weights bring their input normalisation into the architecture, so the saved model has it.
        architecture = options.Pretrained?.Prepare(options.Architecture, shape) ?? options.Architecture;
        return NetworkTraining.Train(input, options, architecture, imageShape, seed, model,
            new ClassificationTask(AugmentationPolicy.FromColumn(imageColumn)),
            data => TensorDataset.FromDataView(data, options.FeatureColumnName, options.LabelColumnName, imageShape), out history);
    }

    /// <summary>The schema after the transformer: the input plus <c>Score</c> and <c>PredictedLabel</c>.</summary>
    /// <exception cref="ArgumentException">The image or label column is missing or of the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        if (Find(inputSchema, Options.FeatureColumnName) is not { } image)
            throw new ArgumentException($"The image column '{Options.FeatureColumnName}' is not in the input schema.");
        if (image.Kind != SchemaShape.Column.VectorKind.Vector || image.ItemType != NumberDataViewType.Single)
            throw new ArgumentException($"Column '{Options.FeatureColumnName}' must be a fixed-size vector of Single (float).");
        if (Find(inputSchema, Options.LabelColumnName) is not { } label)
            throw new ArgumentException($"The label column '{Options.LabelColumnName}' is not in the input schema.");
        if (!label.IsKey)
            throw new ArgumentException(
                $"Label column '{Options.LabelColumnName}' must be a key type; add ml.Transforms.Conversion.MapValueToKey(\"{Options.LabelColumnName}\") before the trainer.");
        return ScoringMapping.OutputSchemaShape(inputSchema, Options.FeatureColumnName, label);
    }

    static SchemaShape.Column? Find(SchemaShape schema, string name)
    {
        foreach (var column in schema)
            if (column.Name == name) return column;
        return null;
    }
}
