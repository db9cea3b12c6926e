using System.Collections.Concurrent;
using System.Text.Json;
using MLToolkit.Trainers.Networks.Zoo;

namespace MLToolkit.Trainers.Networks;

/// <summary>
/// Maps architecture names to presets (what <c>--arch resnet20</c> builds) and to record types (what
/// a saved model rebuilds from its name and the JSON of its settings). The zoo is registered
/// already; register your own before loading a model that uses it.
/// </summary>
public static class ArchitectureRegistry
{
    static readonly ConcurrentDictionary<string, Type> Types = new(StringComparer.OrdinalIgnoreCase);
    static readonly ConcurrentDictionary<string, Func<IArchitecture>> Presets = new(StringComparer.OrdinalIgnoreCase);
    // Type → the stable key a saved model names it by. A design's Name (resnet26, densenet169) need not
    // be a registered preset, so models record the type's key and the design's settings instead.
    static readonly ConcurrentDictionary<Type, string> Keys = new();

    static ArchitectureRegistry()
    {
        Register(MnistCnn.ClassicName, MLToolkit.Architectures.MnistClassic);
        Register(MnistCnn.BatchNormName, MLToolkit.Architectures.MnistBestCnn);
        Register("lenet5", () => new LeNet5());
        Register("alexnet", () => new AlexNet());
        Register("zfnet", () => new ZfNet());
        foreach (int depth in new[] { 11, 13, 16, 19 })
        {
            Register($"vgg{depth}", () => new Vgg(depth));
            Register($"vgg{depth}-bn", () => new Vgg(depth, BatchNorm: true));
        }
        Register("googlenet", () => new GoogLeNet());
        foreach (int depth in new[] { 18, 34, 50, 101, 152 }) Register($"resnet{depth}", () => new ResNet(depth));
        foreach (int depth in new[] { 20, 32, 44, 56, 110 }) Register($"resnet{depth}", () => new CifarResNet(depth));
        Register("densenet121", DenseNet.DenseNet121);
        Register("densenet-bc", () => DenseNet.Bc());
        Register("densenet-bc40", () => DenseNet.Bc(depth: 40));
        Register("dpn-small", () => new Dpn());
        Register<SequentialArchitecture>(SequentialArchitecture.RegisteredName);
        foreach (var type in new[] { typeof(MnistCnn), typeof(LeNet5), typeof(AlexNet), typeof(ZfNet), typeof(Vgg), typeof(GoogLeNet),
                     typeof(ResNet), typeof(CifarResNet), typeof(DenseNet), typeof(Dpn),
                     // Segmentation and detection designs load from saved models but are no presets: the classifier zoo's tests and --arch list stay classifiers.
                     typeof(Segmentation.Fcn), typeof(Segmentation.UNet), typeof(Detection.GridDetector), typeof(Detection.ZooGridDetector) })
            RegisterKey("type:" + type.Name.ToLowerInvariant(), type);
    }

    static void RegisterKey(string key, Type type)
    {
        RegisterType(key, type);
        Keys.TryAdd(type, key);
    }

    /// <summary>
    /// The name a saved model records for <paramref name="architecture"/>: its type's stable key (the
    /// zoo's <c>type:…</c> keys, or the name a custom type was registered under with
    /// <see cref="Register{T}(string)"/>), else its <see cref="IArchitecture.Name"/>.
    /// </summary>
    public static string KeyOf(IArchitecture architecture) =>
        Keys.TryGetValue(architecture.GetType(), out var key) ? key : architecture.Name;

    /// <summary>Names that <see cref="Create"/> knows, sorted.</summary>
    public static IReadOnlyCollection<string> PresetNames => Presets.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray();

    /// <summary>All registered names (presets and types), sorted.</summary>
    public static IReadOnlyCollection<string> Names => Types.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray();

    /// <summary>Registers <typeparamref name="T"/> under <paramref name="name"/>; registering the same pair again is harmless.</summary>
    /// <exception cref="ArgumentException">The name is taken by another type.</exception>
    public static void Register<T>(string name) where T : IArchitecture => RegisterKey(name, typeof(T));

    /// <summary>
    /// Registers a preset: <paramref name="create"/> builds the architecture for <paramref name="name"/>,
    /// and its type (and its own <see cref="IArchitecture.Name"/>) become loadable.
    /// </summary>
    public static void Register(string name, Func<IArchitecture> create)
    {
        var sample = create();
        RegisterType(name, sample.GetType());
        RegisterType(sample.Name, sample.GetType());
        Presets[name] = create;
    }

    static void RegisterType(string name, Type type)
    {
        var existing = Types.GetOrAdd(name, type);
        if (existing != type)
            throw new ArgumentException($"Architecture name '{name}' is already registered for {existing.FullName}.", nameof(name));
    }

    /// <summary>The preset registered as <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="KeyNotFoundException">No preset has that name; the message lists the known ones.</exception>
    public static IArchitecture Create(string name) =>
        Presets.TryGetValue(name, out var create)
            ? create()
            : throw new KeyNotFoundException($"Unknown architecture '{name}'. Known: {string.Join(", ", PresetNames)}.");

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
