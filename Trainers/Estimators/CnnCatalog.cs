using MLToolkit.Trainers.Persistence;
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
    /// An ensemble of <paramref name="members"/> CNNs trained with <paramref name="member"/>'s options and
    /// different seeds, whose probabilities are averaged (or combined as <paramref name="ensemble"/> says).
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than one member or invalid options.</exception>
    public static CnnEnsembleTrainer CnnEnsemble(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        int members, CnnOptions member, EnsembleOptions? ensemble = null)
    {
        if (members < 1) throw new ArgumentException($"members must be >= 1; it is {members}.", nameof(members));
        ArgumentNullException.ThrowIfNull(member);
        return new(Environment(catalog), Enumerable.Range(0, members).Select(_ => member.Clone()).ToArray(), ensemble);
    }

    /// <summary>An ensemble of differently configured CNN trainers (e.g. different architectures).</summary>
    /// <exception cref="ArgumentException">No trainer, or trainers reading different columns.</exception>
    public static CnnEnsembleTrainer CnnEnsemble(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        IEnumerable<CnnTrainer> trainers, EnsembleOptions? ensemble = null) =>
        new(Environment(catalog), trainers.Select(t => t.Options.Clone()).ToArray(), ensemble);

    /// <summary>The catalog's host environment (it carries the <c>MLContext</c>'s seed and log); ML.NET keeps it internal.</summary>
    internal static IHostEnvironment Environment(object catalog) => MlNetInternals.EnvironmentOf(catalog);
}
