using Microsoft.ML;

namespace MLToolkit.Trainers.Augmentation;

/// <summary>
/// Estimator of the augmentation stage: <c>ml.Transforms.Augment("Image", steps)</c>. Active only
/// while a downstream CNN trainer trains, with fresh random draws for every batch of every epoch.
/// </summary>
public sealed class AugmentEstimator : IEstimator<AugmentTransformer>
{
    /// <summary>Creates the stage; the policy's steps have checked their own settings.</summary>
    public AugmentEstimator(string columnName, AugmentationPolicy policy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(columnName);
        (ColumnName, Policy) = (columnName, policy ?? throw new ArgumentNullException(nameof(policy)));
    }

    /// <summary>The image column.</summary>
    public string ColumnName { get; }

    /// <summary>The augmentation steps.</summary>
    public AugmentationPolicy Policy { get; }

    /// <inheritdoc />
    public AugmentTransformer Fit(IDataView input)
    {
        var transformer = new AugmentTransformer(ColumnName, Policy);
        transformer.GetOutputSchema(input.Schema); // a missing column fails here, naming it
        return transformer;
    }

    /// <summary>The schema is unchanged (annotations are not part of a schema shape's contract).</summary>
    /// <exception cref="ArgumentException">The column is missing.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        if (!inputSchema.Any(c => c.Name == ColumnName))
            throw new ArgumentException($"The image column '{ColumnName}' is not in the input schema.");
        return inputSchema;
    }
}
