using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Backend;
using MLToolkit.Trainers.Scoring;
using MLToolkit.Trainers.Training;

namespace MLToolkit.Trainers.Segmentation;

/// <summary>
/// ML.NET estimator that trains a segmentation network on an image column and a mask column. Its
/// <see cref="SegmentationTransformer"/> adds the predicted class of every pixel. Create it with
/// <c>ml.Segmentation().Trainers.Cnn(options)</c>.
/// </summary>
public sealed class SegmentationTrainer : IEstimator<SegmentationTransformer>
{
    readonly IHost _host;

    /// <summary>Creates the trainer; the options are checked here.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public SegmentationTrainer(IHostEnvironment env, SegmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _host = env.Register(nameof(SegmentationTrainer));
    }

    /// <summary>The trainer's settings.</summary>
    public SegmentationOptions Options { get; }

    /// <summary>Trains the network on every row of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type or size, or a mask holds a class out of range.</exception>
    public SegmentationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var options = Options;
        var imageColumn = ImageColumns.Require(input.Schema, options.FeatureColumnName, "image");
        var shape = ImageShape.FromColumn(imageColumn);
        var training = options.Training.Clone();
        training.Architecture = options.Architecture;
        var network = NetworkTraining.Train(input, training, options.Architecture, shape, training.Seed ?? _host.Rand.Next(), (1, 1),
            new SegmentationTask(options.Augmentation),
            data => TensorDataset.FromMasks(data, options.FeatureColumnName, options.MaskColumnName, shape, options.Classes), out var history);
        var scorer = new NetworkScorer([network], shape, options.Classes, TorchRuntime.ResolveDevice(training.Device));
        return new SegmentationTransformer(options.FeatureColumnName, options.PredictedMaskColumnName, options.ScoresColumnName, scorer,
            options.Architecture, options.ClassNames, history);
    }

    /// <summary>The schema after the transformer: the input plus the predicted mask (and scores when asked).</summary>
    /// <exception cref="ArgumentException">The image or mask column is missing.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        if (!inputSchema.Any(c => c.Name == Options.FeatureColumnName))
            throw new ArgumentException($"The image column '{Options.FeatureColumnName}' is not in the input schema.");
        if (!inputSchema.Any(c => c.Name == Options.MaskColumnName))
            throw new ArgumentException($"The mask column '{Options.MaskColumnName}' is not in the input schema.");
        return SegmentationMapping.OutputSchemaShape(inputSchema, Options.FeatureColumnName, Options.PredictedMaskColumnName, Options.ScoresColumnName);
    }
}
