using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLToolkit.Trainers.Estimators;

namespace MLToolkit;

/// <summary>Catalog extension methods: <c>ml.MulticlassClassification.Trainers.Cnn(...)</c>.</summary>
public static class CnnCatalog
{
    /// <summary>A trainer of one convolutional network on an image column and a key-typed label.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static CnnTrainer Cnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, CnnOptions? options = null) =>
        new(Environment(catalog), options ?? new CnnOptions());

    /// <summary>
    /// The catalog's host environment (it carries the <c>MLContext</c>'s seed and log). ML.NET keeps the
    /// property internal, so it is read by reflection; a missing property fails loudly.
    /// </summary>
    internal static IHostEnvironment Environment(object catalog)
    {
        // Catalogs implement ML.NET's internal IInternalCatalog explicitly; its Environment is the host.
        var contract = catalog.GetType().GetInterfaces().FirstOrDefault(i => i.FullName == "Microsoft.ML.Data.IInternalCatalog");
        if (contract?.GetProperty("Environment")?.GetValue(catalog) is IHostEnvironment env) return env;
        throw new InvalidOperationException(
            $"Cannot reach the host environment of {catalog.GetType().FullName}: MLToolkit is built against Microsoft.ML 5.0.1.");
    }
}
