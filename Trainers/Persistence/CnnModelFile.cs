using System.Security.Cryptography;
using System.Text;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Augmentation;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Backend;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Trainers.Scoring;
using MLToolkit.Trainers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Persistence;

/// <summary>
/// The byte format of a trained <see cref="CnnTransformer"/>: a magic tag, a format version, the
/// body's length and SHA-256 (so damage is reported as such, not as a confusing failure deep in
/// TorchSharp), then the columns, shape, classes, label values, and per member the architecture
/// (name and settings) and the weights.
/// </summary>
internal static class CnnModelFile
{
    /// <summary>
    /// The device the networks of models read on this thread go to (null: the CPU). ML.NET's loader
    /// cannot pass arguments to a component, so <see cref="ModelFileExtensions.LoadModel(Microsoft.ML.MLContext, string, string, out Microsoft.ML.DataViewSchema)"/> sets it around its load.
    /// </summary>
    [ThreadStatic] internal static string? LoadingDevice;

    static readonly byte[] Magic = Encoding.ASCII.GetBytes("MLTKCNN\0");
    const int FormatVersion = 1;

    /// <summary>Writes <paramref name="model"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, CnnTransformer model) =>
        Write(stream, new StoredNetworks(model.FeatureColumnName, model.Scorer, model.Architectures, model.LabelValues));

    /// <summary>Writes the networks of a classifier or a segmenter to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, StoredNetworks model)
    {
        var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(model.FeatureColumn);
            var shape = model.Scorer.Shape;
            writer.Write(shape.Channels);
            writer.Write(shape.Height);
            writer.Write(shape.Width);
            writer.Write(model.Scorer.Classes);
            writer.Write(model.LabelValues is not null);
            model.LabelValues?.Write(writer);
            writer.Write(model.Architectures.Count);
            for (int i = 0; i < model.Architectures.Count; i++)
            {
                writer.Write(ArchitectureRegistry.KeyOf(model.Architectures[i]));
                writer.Write(ArchitectureRegistry.ToJson(model.Architectures[i]));
                using var weights = new MemoryStream();
                using (var weightWriter = new BinaryWriter(weights, Encoding.UTF8, leaveOpen: true))
                    model.Scorer.Networks[i].save(weightWriter);
                writer.Write(weights.Length);
                weights.Position = 0;
                weights.CopyTo(body);
            }
            WriteSettings(writer, model.Scorer.Settings);
        }

        var bytes = body.ToArray();
        using var header = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        header.Write(Magic);
        header.Write(FormatVersion);
        header.Write((long)bytes.Length);
        header.Write(SHA256.HashData(bytes));
        header.Write(bytes);
    }

    static void WriteSettings(BinaryWriter writer, ScoringSettings settings)
    {
        writer.Write((int)settings.Combination);
        writer.Write(settings.Weights?.Count ?? -1);
        foreach (var weight in settings.Weights ?? []) writer.Write(weight);
        writer.Write(settings.TestTimeViews);
        writer.Write(settings.TestTimePolicy?.ToJson() ?? "");
    }

    static ScoringSettings ReadSettings(BinaryReader reader)
    {
        var combination = (EnsembleCombination)reader.ReadInt32();
        int weightCount = reader.ReadInt32();
        double[]? weights = weightCount < 0 ? null : Enumerable.Range(0, weightCount).Select(_ => reader.ReadDouble()).ToArray();
        int views = reader.ReadInt32();
        var policy = reader.ReadString();
        return new ScoringSettings(combination, weights, views, policy.Length == 0 ? null : AugmentationPolicy.FromJson(policy));
    }

    /// <summary>Reads a classifier written by <see cref="Write(Stream, CnnTransformer)"/>.</summary>
    /// <param name="stream">The bytes.</param>
    /// <param name="source">Where the bytes come from, for error messages.</param>
    /// <exception cref="InvalidDataException">The bytes are not a model, truncated or corrupt.</exception>
    public static CnnTransformer Read(Stream stream, string source)
    {
        var stored = ReadNetworks(stream, source);
        return new CnnTransformer(stored.FeatureColumn, stored.Scorer, stored.Architectures, stored.LabelValues,
            stored.Architectures.Select(_ => (IReadOnlyList<EpochSummary>)[]).ToArray());
    }

    /// <summary>Reads the networks written by <see cref="Write(Stream, StoredNetworks)"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a model, truncated or corrupt.</exception>
    public static StoredNetworks ReadNetworks(Stream stream, string source)
    {
        byte[] body;
        using (var header = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true))
        {
            try
            {
                var magic = header.ReadBytes(Magic.Length);
                if (!magic.AsSpan().SequenceEqual(Magic))
                    throw new InvalidDataException($"{source} does not hold an MLToolkit CNN model (wrong magic bytes).");
                int version = header.ReadInt32();
                if (version != FormatVersion)
                    throw new InvalidDataException($"{source} has CNN model format version {version}; this MLToolkit reads version {FormatVersion}.");
                long length = header.ReadInt64();
                var expectedHash = header.ReadBytes(32);
                if (length < 0 || length > Array.MaxLength)
                    throw new InvalidDataException($"{source} declares an impossible CNN model length {length}.");
                body = header.ReadBytes((int)length);
                if (body.Length != length || expectedHash.Length != 32)
                    throw new InvalidDataException($"{source} is truncated: the CNN model needs {length} bytes, only {body.Length} are there.");
                if (!SHA256.HashData(body).AsSpan().SequenceEqual(expectedHash))
                    throw new InvalidDataException($"{source} is corrupt: the CNN model's checksum does not match its contents.");
            }
            catch (EndOfStreamException e)
            {
                throw new InvalidDataException($"{source} is truncated: the CNN model header is incomplete.", e);
            }
        }

        TorchRuntime.EnsureInitialized();
        var device = TorchRuntime.ResolveDevice(LoadingDevice ?? "cpu");
        using var reader = new BinaryReader(new MemoryStream(body), Encoding.UTF8);
        var featureColumn = reader.ReadString();
        var shape = new ImageShape(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        int classes = reader.ReadInt32();
        var labelValues = reader.ReadBoolean() ? KeyValues.Read(reader) : null;
        int members = reader.ReadInt32();
        if (members < 1) throw new InvalidDataException($"{source} declares {members} networks; at least one is needed.");

        var architectures = new List<IArchitecture>();
        var networks = new List<nn.Module<Tensor, Tensor>>();
        try
        {
            for (int i = 0; i < members; i++)
            {
                var architecture = ArchitectureRegistry.FromJson(reader.ReadString(), reader.ReadString());
                long weightLength = reader.ReadInt64();
                var network = architecture.Build(shape, classes);
                networks.Add(network);
                using var weights = new BinaryReader(new MemoryStream(reader.ReadBytes((int)weightLength)));
                network.load(weights);
                // Weights are stored device-free: a model trained on a GPU loads on the CPU and back.
                if (device.type != DeviceType.CPU) network.to(device);
                architectures.Add(architecture);
            }
        }
        catch
        {
            foreach (var network in networks) network.Dispose();
            throw;
        }
        var scorer = new NetworkScorer(networks, shape, classes, device, ReadSettings(reader));
        return new StoredNetworks(featureColumn, scorer, architectures, labelValues);
    }
}

/// <summary>What a model file stores of trained networks: the image column, the networks with their shape and classes, their designs, the label values.</summary>
internal sealed record StoredNetworks(string FeatureColumn, NetworkScorer Scorer, IReadOnlyList<IArchitecture> Architectures, KeyValues? LabelValues);
