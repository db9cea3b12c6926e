using System.Collections.Concurrent;
using System.Text.Json;

namespace MLToolkit.Trainers.Architectures;

/// <summary>
/// Maps architecture names to their record types, so that a saved model can rebuild its network from
/// the name and the JSON of the record's settings. Built-in architectures are registered already;
/// register your own before loading a model that uses it.
/// </summary>
public static class ArchitectureRegistry
{
    static readonly ConcurrentDictionary<string, Type> Types = new(StringComparer.OrdinalIgnoreCase);

    static ArchitectureRegistry()
    {
        Register<MnistCnn>(MnistCnn.ClassicName);
        Register<MnistCnn>(MnistCnn.BatchNormName);
    }

    /// <summary>All registered names.</summary>
    public static IReadOnlyCollection<string> Names => Types.Keys.OrderBy(n => n).ToArray();

    /// <summary>Registers <typeparamref name="T"/> under <paramref name="name"/>; registering the same pair again is harmless.</summary>
    /// <exception cref="ArgumentException">The name is taken by another type.</exception>
    public static void Register<T>(string name) where T : IArchitecture
    {
        var existing = Types.GetOrAdd(name, typeof(T));
        if (existing != typeof(T))
            throw new ArgumentException($"Architecture name '{name}' is already registered for {existing.FullName}.", nameof(name));
    }

    /// <summary>The settings of <paramref name="architecture"/> as JSON.</summary>
    public static string ToJson(IArchitecture architecture) =>
        JsonSerializer.Serialize(architecture, architecture.GetType());

    /// <summary>Rebuilds an architecture from its name and the JSON written by <see cref="ToJson"/>.</summary>
    /// <exception cref="KeyNotFoundException">No architecture is registered under <paramref name="name"/>.</exception>
    public static IArchitecture FromJson(string name, string json)
    {
        if (!Types.TryGetValue(name, out var type))
            throw new KeyNotFoundException(
                $"No architecture is registered as '{name}'. Known: {string.Join(", ", Names)}. " +
                "Call ArchitectureRegistry.Register for a custom architecture before loading the model.");
        return (IArchitecture)(JsonSerializer.Deserialize(json, type)
            ?? throw new InvalidDataException($"The saved settings of architecture '{name}' are empty."));
    }
}
