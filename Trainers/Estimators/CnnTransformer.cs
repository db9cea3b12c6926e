using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Persistence;
using MLToolkit.Trainers.Scoring;
using MLToolkit.Trainers.Training;

namespace MLToolkit.Trainers.Estimators;

/// <summary>
/// A trained CNN (or ensemble of CNNs) as an ML.NET transformer: adds <c>Score</c> (class
/// probabilities, averaged over the members) and <c>PredictedLabel</c> (key with the training
/// labels' values). Saved inside the ML.NET model file by <c>ml.Model.Save</c>; call
/// <see cref="ToolkitPersistence.Register"/> once before <c>ml.Model.Load</c>.
/// </summary>
public sealed class CnnTransformer : ITransformer
{
    readonly MappingCache _mappings;

    internal CnnTransformer(string featureColumnName, NetworkScorer scorer, IReadOnlyList<IArchitecture> architectures,
        KeyValues? labelValues, IReadOnlyList<IReadOnlyList<EpochSummary>> history)
    {
        if (architectures.Count != scorer.Networks.Count)
            throw new ArgumentException("One architecture per network is needed.", nameof(architectures));
        (FeatureColumnName, Scorer, Architectures, LabelValues, History) = (featureColumnName, scorer, architectures, labelValues, history);
        _mappings = new MappingCache(featureColumnName, (context, schema) => ScoringMapping.Create(context, schema, FeatureColumnName, Scorer, LabelValues));
    }

    /// <summary>The image column read by the model.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The networks and the shape and class count they work on.</summary>
    public NetworkScorer Scorer { get; }

    /// <summary>The design of each network, in member order.</summary>
    public IReadOnlyList<IArchitecture> Architectures { get; }

    /// <summary>The original label values of the classes, when the training label had them.</summary>
    public KeyValues? LabelValues { get; }

    /// <summary>Per member, the summary of each training epoch (empty after loading).</summary>
    public IReadOnlyList<IReadOnlyList<EpochSummary>> History { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Mapping(inputSchema).GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Mapping(inputSchema).GetRowToRowMapper(inputSchema);

    /// <summary>
    /// Adds the score columns to <paramref name="input"/>. The networks score the images
    /// <see cref="TransformBatchSize"/> at a time (one forward pass per batch), not row by row.
    /// </summary>
    public IDataView Transform(IDataView input) =>
        new BatchScoredDataView(input, Mapping(input.Schema).Transform(input), FeatureColumnName, Scorer, TransformBatchSize);

    /// <summary>Images scored per forward pass by <see cref="Transform"/>: large enough to amortise a pass, small enough for memory.</summary>
    public const int TransformBatchSize = 256;

    /// <summary>Writes the model into an ML.NET model file (called by <c>ml.Model.Save</c>).</summary>
    public void Save(ModelSaveContext ctx) => ToolkitPersistence.Save(ctx, this);

    ITransformer Mapping(DataViewSchema inputSchema) => _mappings.For(inputSchema);

    /// <summary>
    /// Member <paramref name="index"/> of an ensemble as a model of its own (sharing its network), to
    /// measure what each member achieves alone. Do not dispose it; dispose the ensemble.
    /// </summary>
    public CnnTransformer Member(int index) =>
        new(FeatureColumnName, new NetworkScorer([Scorer.Networks[index]], Scorer.Shape, Scorer.Classes, Scorer.Device),
            [Architectures[index]], LabelValues, [History[index]]);

    /// <summary>
    /// The same trained networks scored another way — e.g. with test-time augmentation or other
    /// ensemble weights — without retraining. Shares the networks: dispose only the original.
    /// </summary>
    /// <exception cref="ArgumentException">The settings do not fit the members.</exception>
    public CnnTransformer WithScoring(ScoringSettings settings) =>
        new(FeatureColumnName, new NetworkScorer(Scorer.Networks, Scorer.Shape, Scorer.Classes, Scorer.Device, settings),
            Architectures, LabelValues, History);

    /// <summary>
    /// Releases the networks' native memory now instead of at garbage collection; the model cannot
    /// score afterwards. Deliberately not <see cref="IDisposable"/>: ML.NET disposes the transformers
    /// of a chain when a <c>PredictionEngine</c> made from it is disposed, which would destroy a
    /// model shared by many engines (one per request in a web app).
    /// </summary>
    public void ReleaseNetworks() => Scorer.Dispose();
}
