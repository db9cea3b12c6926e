namespace MLToolkit.Pipelines.Experiments;

/// <summary>All experiments the host knows, by name.</summary>
public static class ExperimentCatalog
{
    /// <summary>The experiment run when none is named: the main job.</summary>
    public const string Default = "mnist";

    /// <summary>The experiments, in the order they are listed.</summary>
    public static IReadOnlyList<IExperiment> All { get; } = [new MnistExperiment(), new MnistFastExperiment(), new MnistBestExperiment(), new FashionExperiment(), new Cifar10Experiment(), new ImagesExperiment(), new ImagesFeaturizerExperiment(), new SegmentMnistExperiment(), new DetectMnistExperiment()];

    /// <summary>The experiment called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No experiment has that name.</exception>
    public static IExperiment Find(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown experiment '{name}'. Experiments: {string.Join(", ", All.Select(e => e.Name))}.");
}
