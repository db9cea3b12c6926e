using MLToolkit.Trainers.NetworkLayers.Modules;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>What layers need to know while a network is built, besides their input shape.</summary>
public sealed class BuildContext
{
    /// <summary>Creates a context for a network with <paramref name="classes"/> outputs.</summary>
    public BuildContext(int classes, Initializer defaultInitializer)
    {
        if (classes < 1) throw new ArgumentException($"A network needs at least one class; it got {classes}.", nameof(classes));
        Classes = classes;
        DefaultInitializer = defaultInitializer;
    }

    /// <summary>Number of classes, the width of <see cref="ClassifierOutput"/>.</summary>
    public int Classes { get; }

    /// <summary>Weight initialiser of the convolutions and hidden dense layers that do not name their own (<see cref="ClassifierOutput"/> starts at zero).</summary>
    public Initializer DefaultInitializer { get; }

    /// <summary>Where auxiliary classifiers put their logits while training.</summary>
    public AuxiliaryLogits Auxiliary { get; } = new();

    readonly Dictionary<string, int> _counts = new();

    /// <summary>The next module name for a layer kind: conv2d_1, conv2d_2…</summary>
    public string NextName(string kind)
    {
        _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
        return $"{kind}_{_counts[kind]}";
    }
}
