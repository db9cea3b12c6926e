using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Trainers.Persistence;
using MLToolkit.Trainers.Scoring;
using MLToolkit.Trainers.Training;

namespace MLToolkit.Trainers.Segmentation;

/// <summary>
/// A trained segmentation network as an ML.NET transformer: adds the predicted class of every pixel (and,
/// when asked, the per-class probabilities). Saved inside the ML.NET model file by <c>ml.Model.Save</c>;
/// load it with <c>ml.LoadModel</c> (or <c>ml.RegisterMLToolkit()</c> and <c>ml.Model.Load</c>).
/// </summary>
public sealed class SegmentationTransformer : ITransformer
{
    readonly MappingCache _mappings;

    internal SegmentationTransformer(string featureColumnName, string predictedMaskColumnName, string? scoresColumnName,
        NetworkScorer scorer, ISegmentationArchitecture architecture, IReadOnlyList<string>? classNames, IReadOnlyList<EpochSummary> history)
    {
        (FeatureColumnName, PredictedMaskColumnName, ScoresColumnName, Scorer, Architecture, ClassNames, History) =
            (featureColumnName, predictedMaskColumnName, scoresColumnName, scorer, architecture, classNames, history);
        _mappings = new MappingCache(featureColumnName, (context, schema) => SegmentationMapping.Create(context, schema, this));
    }

    /// <summary>The image column read by the model.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The column of predicted classes (H×W UInt32).</summary>
    public string PredictedMaskColumnName { get; }

    /// <summary>The column of per-pixel probabilities (classes × H × W), or null when the model adds none.</summary>
    public string? ScoresColumnName { get; }

    internal NetworkScorer Scorer { get; }

    /// <summary>The shape of the images the network takes (C×H×W).</summary>
    public Datasets.Images.ImageShape InputShape => Scorer.Shape;

    /// <summary>Number of classes, background included.</summary>
    public int Classes => Scorer.Classes;

    /// <summary>The network's design.</summary>
    public ISegmentationArchitecture Architecture { get; }

    /// <summary>Class names in index order, when the training gave them.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The summary of each training epoch (accuracy is pixel accuracy; empty after loading).</summary>
    public IReadOnlyList<EpochSummary> History { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Mapping(inputSchema).GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Mapping(inputSchema).GetRowToRowMapper(inputSchema);

    /// <summary>Adds the predicted mask column (and the scores when asked) to <paramref name="input"/>.</summary>
    public IDataView Transform(IDataView input) => Mapping(input.Schema).Transform(input);

    /// <summary>Writes the model into an ML.NET model file (called by <c>ml.Model.Save</c>).</summary>
    public void Save(ModelSaveContext ctx) => ToolkitPersistence.Save(ctx, this);

    /// <summary>Releases the network's native memory now instead of at garbage collection; the model cannot score afterwards.</summary>
    public void ReleaseNetworks() => Scorer.Dispose();

    ITransformer Mapping(DataViewSchema inputSchema) => _mappings.For(inputSchema);
}
