using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Backend;
using MLToolkit.Trainers.Scoring;

namespace MLToolkit.Trainers.Detection;

/// <summary>
/// ML.NET estimator that trains a grid detector on an image column, a key vector of labels and a vector of boxes.
/// Its <see cref="DetectionTransformer"/> adds the predicted labels, boxes and scores. Create it with
/// <c>ml.Detection().Trainers.Cnn(options)</c>.
/// </summary>
public sealed class DetectionTrainer : IEstimator<DetectionTransformer>
{
    readonly IHost _host;

    /// <summary>Creates the trainer; the options are checked here.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public DetectionTrainer(IHostEnvironment env, DetectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _host = env.Register(nameof(DetectionTrainer));
    }

    /// <summary>The trainer's settings.</summary>
    public DetectionOptions Options { get; }

    /// <summary>Trains the network on every row of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type, or a row's labels and boxes disagree.</exception>
    public DetectionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var options = Options;
        var shape = ImageShape.FromColumn(ImageColumns.Require(input.Schema, options.FeatureColumnName, "image"));
        var training = options.Training.Clone();
        training.Architecture = options.Architecture;
        var network = GridDetectorTraining.Train(input, training, options, shape, training.Seed ?? _host.Rand.Next(), out var history);
        var scorer = new NetworkScorer([network], shape, options.Classes, TorchRuntime.ResolveDevice(training.Device));
        return new DetectionTransformer(options, scorer, history);
    }

    /// <summary>The schema after the transformer: the input plus the predicted labels, boxes and scores.</summary>
    /// <exception cref="ArgumentException">The image column is missing.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        if (!inputSchema.Any(c => c.Name == Options.FeatureColumnName))
            throw new ArgumentException($"The image column '{Options.FeatureColumnName}' is not in the input schema.");
        return DetectionMapping.OutputSchemaShape(inputSchema, Options);
    }
}
