using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Trainers.Persistence;

namespace MLToolkit.Trainers.Augmentation;

/// <summary>
/// The fitted augmentation stage: passes every row through unchanged and records its policy on the
/// image column, where a downstream CNN trainer finds it and applies it to each training batch.
/// At prediction time it does nothing.
/// </summary>
public sealed class AugmentTransformer : ITransformer
{
    readonly MLContext _identityContext = new();

    /// <summary>Creates the stage for <paramref name="columnName"/>.</summary>
    public AugmentTransformer(string columnName, AugmentationPolicy policy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(columnName);
        (ColumnName, Policy) = (columnName, policy ?? throw new ArgumentNullException(nameof(policy)));
    }

    /// <summary>The image column.</summary>
    public string ColumnName { get; }

    /// <summary>The augmentation steps.</summary>
    public AugmentationPolicy Policy { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        AnnotatedDataView.Annotate(inputSchema, ColumnName, AugmentationPolicy.AnnotationKind, Policy.ToJson());

    /// <inheritdoc />
    public IDataView Transform(IDataView input) =>
        new AnnotatedDataView(input, ColumnName, AugmentationPolicy.AnnotationKind, Policy.ToJson());

    /// <summary>
    /// Prediction needs no policy, so a row maps to itself: an identity column copy stands in, which
    /// ML.NET can turn into a row mapper for <c>PredictionEngine</c>.
    /// </summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        GetOutputSchema(inputSchema); // reports a missing column clearly
        ITransformer identity = _identityContext.Transforms.CopyColumns(ColumnName, ColumnName).Fit(new EmptyDataView(inputSchema));
        return identity.GetRowToRowMapper(inputSchema);
    }

    /// <summary>Writes the stage into an ML.NET model file (called by <c>ml.Model.Save</c>).</summary>
    public void Save(ModelSaveContext ctx) => ToolkitPersistence.Save(ctx, this);
}
