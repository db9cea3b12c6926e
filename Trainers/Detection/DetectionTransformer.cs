using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Detection;
using MLToolkit.Trainers.Persistence;
using MLToolkit.Trainers.Scoring;
using MLToolkit.Trainers.Training;

namespace MLToolkit.Trainers.Detection;

/// <summary>
/// A trained grid detector as an ML.NET transformer: adds, per image, the predicted labels (a key vector with the
/// class names as key values), the predicted boxes (xmin, ymin, xmax, ymax per detection, in pixels) and the
/// scores, highest first, after class-wise non-maximum suppression. Saved by <c>ml.Model.Save</c>; call
/// <c>ml.RegisterMLToolkit()</c> (or use <c>ml.LoadModel</c>) before loading.
/// </summary>
public sealed class DetectionTransformer : ITransformer
{
    readonly MappingCache _mappings;

    internal DetectionTransformer(DetectionOptions settings, NetworkScorer scorer, IReadOnlyList<EpochSummary> history)
    {
        (Settings, Scorer, History) = (settings, scorer, history);
        _mappings = new MappingCache(settings.FeatureColumnName, (context, schema) => DetectionMapping.Create(context, schema, this));
    }

    /// <summary>The columns, classes and decoding settings (<see cref="DetectionOptions.Training"/> is not kept after loading).</summary>
    public DetectionOptions Settings { get; }

    /// <summary>The network (raw grid outputs; <see cref="NetworkScorer.Score"/> does not apply to it).</summary>
    internal NetworkScorer Scorer { get; }

    /// <summary>The summary of each training epoch (accuracy: objects found with their class; empty after loading).</summary>
    public IReadOnlyList<EpochSummary> History { get; }

    /// <summary>The detections of <paramref name="count"/> images laid one after another in <paramref name="images"/>.</summary>
    public IReadOnlyList<DetectedBox>[] Detect(float[] images, int count) =>
        GridDetectorTraining.Detect(Scorer.Networks[0], Settings.Architecture.StrideFor(Scorer.Shape), images, count, Scorer.Shape,
            minScore: Settings.MinScore, iouThreshold: Settings.IouThreshold, maxDetections: Settings.MaxDetections);

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Mapping(inputSchema).GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Mapping(inputSchema).GetRowToRowMapper(inputSchema);

    /// <summary>Adds the predicted labels, boxes and scores to <paramref name="input"/>.</summary>
    public IDataView Transform(IDataView input) => Mapping(input.Schema).Transform(input);

    /// <summary>Writes the model into an ML.NET model file (called by <c>ml.Model.Save</c>).</summary>
    public void Save(ModelSaveContext ctx) => ToolkitPersistence.Save(ctx, this);

    /// <summary>Releases the network's native memory now instead of at garbage collection; the model cannot detect afterwards.</summary>
    public void ReleaseNetworks() => Scorer.Dispose();

    ITransformer Mapping(DataViewSchema inputSchema) => _mappings.For(inputSchema);
}
