using Microsoft.ML;
using MLToolkit.Trainers.Augmentation;

namespace MLToolkit;

/// <summary>Catalog extension: <c>ml.Transforms.Augment(...)</c>.</summary>
public static class AugmentCatalog
{
    /// <summary>
    /// Data augmentation for the CNN trainer that follows: the steps are applied to each training
    /// batch in order, with fresh random draws per image, batch and epoch, reproducible from the
    /// trainer's seed. Rows are never duplicated and nothing happens at prediction time.
    /// </summary>
    /// <exception cref="ArgumentException">No steps.</exception>
    public static AugmentEstimator Augment(this TransformsCatalog catalog, string columnName, params IAugmentation[] steps) =>
        new(columnName, new AugmentationPolicy(steps));
}
