// ModelPersistence: lets a custom ITransformer written outside ML.NET be saved inside a normal
// ML.NET model zip (ml.Model.Save) and loaded back with a plain ml.Model.Load.
//
// WHY THIS NEEDS REFLECTION
// ML.NET (checked against 5.0.1) only knows how to load a component through its ComponentCatalog:
// the model header names a "loader signature", and the catalog maps that name (plus the internal
// delegate type SignatureLoadModel) to a static Create(IHostEnvironment, ModelLoadContext) method.
// Everything involved - ModelLoadContext, VersionInfo, LoadableClassAttribute, SignatureLoadModel and
// the save-side members CheckAtModel/SetVersionInfo/Writer/SaveBinaryStream - is internal
// (the maintainers say third-party persistence is unsupported, dotnet/machinelearning#4911).
//
// HOW IT WORKS
// * Save: the members of the public ModelSaveContext are reached by reflection.
// * Load: for every loader signature we emit (System.Reflection.Emit) a tiny in-memory assembly that
//   contains a bridge type with "public static ITransformer Create(IHostEnvironment, ModelLoadContext)"
//   and carries an assembly-level [LoadableClass(typeof(ITransformer), bridge, null,
//   typeof(SignatureLoadModel), ...)] attribute. That assembly is handed to the PUBLIC
//   ComponentCatalog.RegisterAssembly, so the catalog itself validates and inserts the entry exactly as
//   for ML.NET's own components; RegisterAssembly skips an assembly it has already seen, which makes
//   registration idempotent per catalog without touching private fields.
//   The emitted Create forwards (env, ctx) to a delegate kept in a static field of the bridge, which
//   wraps the internal ModelLoadContext in the public LoadContextView and calls the user's loader.
//   Two runtime details make the attribute visible to RegisterAssembly (both verified on .NET 10):
//   - the bridge assembly declares [IgnoresAccessChecksTo("Microsoft.ML.Core")]; without it the runtime
//     silently drops the attribute because its (internal) constructor is not accessible from the bridge;
//   - an AppDomain.AssemblyResolve handler returns the bridge assemblies by name, because the attribute
//     blob names the bridge type by assembly-qualified name and Assembly.Load never finds emitted assemblies.
// * Integrity: the main entry holds an envelope (string-table marker, envelope version, SHA-256 of the
//   user header, manifest of side streams with length + SHA-256). ML.NET itself only checks sizes, and
//   a flipped byte inside a zip entry was NOT detected by its zip reader in the probe.
//
// RISK: internal names can change between ML.NET versions. Pin Microsoft.ML and keep a save/load
// round-trip test; every reflective lookup fails fast with a message naming the missing member.

using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLToolkit.Trainers.Persistence;


/// <summary>
/// Save/load support for third-party <see cref="ITransformer"/>s inside ordinary ML.NET model files.
/// </summary>
/// <remarks>
/// Usage: (1) once per process, <see cref="RegisterLoader"/> for each transformer kind (e.g. from a static
/// constructor or module initializer of the assembly that defines it); (2) implement
/// <see cref="ICanSaveModel"/> on the transformer and call <see cref="Save(ModelSaveContext, PersistenceFormat, Action{BinaryWriter}, IReadOnlyDictionary{string, Action{BinaryWriter}}?)"/>
/// from it; (3) before <c>ml.Model.Load</c>, call <see cref="Register(MLContext)"/> on the loading context.
/// </remarks>
internal static class ModelPersistence
{
    private sealed record LoaderEntry(PersistenceFormat Format, Func<IHostEnvironment, LoadContextView, ITransformer> Load, Assembly Bridge);

    private static readonly object s_lock = new();
    private static readonly Dictionary<string, LoaderEntry> s_loaders = new(StringComparer.OrdinalIgnoreCase);
    // Catalog -> MLContext, so a loader can get the MLContext back (the env ML.NET passes is internal).
    private static readonly ConditionalWeakTable<ComponentCatalog, MLContext> s_contexts = new();

    /// <summary>
    /// Registers (process-wide) the loader for one transformer kind. Registering the same signature again with
    /// the same format replaces the loader delegate; a different format for the same signature throws.
    /// Call <see cref="Register(MLContext)"/> afterwards for every context that must load it.
    /// </summary>
    /// <param name="format">On-disk format; its loader signature is the registry key (case-insensitive, as in ML.NET).</param>
    /// <param name="loader">Builds the transformer from the environment and the saved data.</param>
    public static void RegisterLoader(PersistenceFormat format, Func<IHostEnvironment, LoadContextView, ITransformer> loader)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(loader);
        lock (s_lock)
        {
            if (s_loaders.TryGetValue(format.LoaderSignature, out var existing))
            {
                var f = existing.Format;
                if (f.ModelSignature != format.ModelSignature || f.Version != format.Version || f.MinReadableVersion != format.MinReadableVersion)
                    throw new InvalidOperationException($"Loader signature '{format.LoaderSignature}' is already registered with a different format.");
                s_loaders[format.LoaderSignature] = existing with { Load = loader };
                return;
            }
            // One emitted bridge assembly per signature, created once per process and reused for every
            // catalog: a second Emit for the same name would create a distinct assembly that
            // RegisterAssembly would not deduplicate (it keys on Assembly.FullName, which would then clash).
            Assembly bridge = MlNetInternals.EmitBridge(format.LoaderSignature, (env, ctx) => Dispatch(format.LoaderSignature, env, ctx));

            // Fail fast on a name clash with an ML.NET component. ML.NET registers its own assemblies in a
            // context's catalog lazily (when a model names them), so a clash would otherwise surface later as
            // "ComponentCatalog cannot map name ..." while loading an unrelated ML.NET model in that context.
            var scratch = new MLContext().ComponentCatalog;
            RegisterLoadedMlNetAssemblies(scratch);
            try
            {
                scratch.RegisterAssembly(bridge, throwOnError: true);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException(
                    $"Loader signature '{format.LoaderSignature}' cannot be registered (clash with an ML.NET component?): {e.Message}", e);
            }
            s_loaders.Add(format.LoaderSignature, new LoaderEntry(format, loader, bridge));
        }
    }

    /// <summary>
    /// Makes every loader registered so far loadable by <paramref name="ml"/>. Idempotent: safe to call
    /// repeatedly and on several contexts. Call again if loaders are registered later.
    /// </summary>
    /// <param name="ml">The context that will call <c>ml.Model.Load</c>.</param>
    /// <exception cref="InvalidOperationException">A loader signature collides with an ML.NET component.</exception>
    public static void Register(MLContext ml)
    {
        ArgumentNullException.ThrowIfNull(ml);
        s_contexts.AddOrUpdate(ml.ComponentCatalog, ml);
        RegisterCore(ml.ComponentCatalog);
    }

    /// <summary>As <see cref="Register(MLContext)"/>, for any host environment (e.g. one given to a loader).</summary>
    /// <param name="env">The environment whose component catalog receives the loaders.</param>
    public static void Register(IHostEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(env);
        RegisterCore(env.ComponentCatalog);
    }

    /// <summary>
    /// Convenience: <see cref="RegisterLoader"/> followed by <see cref="Register(MLContext)"/>.
    /// </summary>
    /// <param name="ml">The context that will load models.</param>
    /// <param name="format">On-disk format.</param>
    /// <param name="loader">Builds the transformer from the saved data.</param>
    public static void Register(MLContext ml, PersistenceFormat format, Func<IHostEnvironment, LoadContextView, ITransformer> loader)
    {
        RegisterLoader(format, loader);
        Register(ml);
    }

    private static void RegisterCore(ComponentCatalog catalog)
    {
        List<Assembly> bridges;
        lock (s_lock)
            bridges = new List<Assembly>(EnumerateBridges());
        // Public API; it locks internally and ignores an assembly already registered in this catalog.
        // Note: if it throws ("already mapped" = signature collision), the catalog has already recorded the
        // assembly as seen, so a retry is silent but the loader still is not mapped.
        RegisterLoadedMlNetAssemblies(catalog);
        foreach (var asm in bridges)
            catalog.RegisterAssembly(asm, throwOnError: true);
    }

    // Registers the ML.NET assemblies loaded so far (what ML.NET would do lazily anyway) so that a loader
    // signature clash is detected now rather than in the middle of a later ml.Model.Load.
    private static void RegisterLoadedMlNetAssemblies(ComponentCatalog catalog)
    {
        foreach (var asm in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (asm.IsDynamic || !(asm.GetName().Name ?? "").StartsWith("Microsoft.ML", StringComparison.Ordinal))
                continue;
            try
            {
                catalog.RegisterAssembly(asm, throwOnError: false);
            }
            catch (Exception)
            {
                // Not our concern: ML.NET reports its own registration problems when it needs that assembly.
            }
        }
    }

    private static IEnumerable<Assembly> EnumerateBridges()
    {
        foreach (var e in s_loaders.Values)
            yield return e.Bridge;
    }

    /// <summary>
    /// Writes a custom transformer into ML.NET's model file. Call it from the transformer's
    /// <see cref="ICanSaveModel.Save(ModelSaveContext)"/>; ML.NET finalises the entry afterwards.
    /// </summary>
    /// <param name="ctx">The context ML.NET passed to <c>Save</c>.</param>
    /// <param name="format">On-disk format (loader signature, model signature, version).</param>
    /// <param name="writeHeader">Writes the small main payload (hyper-parameters, shapes, column names...).</param>
    /// <param name="binaryStreams">Optional named side streams (e.g. weights), stored as separate zip entries
    /// in the transformer's directory. Names must be unique and differ from "Model.key".</param>
    public static void Save(ModelSaveContext ctx, PersistenceFormat format, Action<BinaryWriter> writeHeader,
        IReadOnlyDictionary<string, Action<BinaryWriter>>? binaryStreams = null)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(writeHeader);

        // Everything is produced in memory first so that a SHA-256 of each part can be written in the main
        // entry: ML.NET checks only sizes, and its zip reader did not detect a flipped byte in an entry.
        byte[] header = Capture(writeHeader);
        var streams = new List<(string Name, byte[] Bytes)>();
        if (binaryStreams != null)
        {
            foreach (var kv in binaryStreams)
            {
                ArgumentException.ThrowIfNullOrEmpty(kv.Key, nameof(binaryStreams));
                ArgumentNullException.ThrowIfNull(kv.Value, nameof(binaryStreams));
                if (string.Equals(kv.Key, "Model.key", StringComparison.OrdinalIgnoreCase) || kv.Key.Contains('/', StringComparison.Ordinal) || kv.Key.Contains('\\', StringComparison.Ordinal))
                    throw new ArgumentException($"Invalid stream name '{kv.Key}' ('Model.key' is ML.NET's; no path separators).", nameof(binaryStreams));
                streams.Add((kv.Key, Capture(kv.Value)));
            }
            streams.Sort((x, y) => string.CompareOrdinal(x.Name, y.Name)); // deterministic files
        }

        MlNetInternals.CheckAtModel(ctx);
        MlNetInternals.SetVersionInfo(ctx, format);
        // The first item of the payload is a string-table reference to the loader signature. Besides being a
        // cheap sanity check, it works around an ML.NET 5.0.1 bug: an entry with neither a string table nor a
        // loader assembly name fails ModelHeader.TryValidate on load (FormatException "One of the identified
        // items was in an invalid format"), and we deliberately write no assembly name (see SetVersionInfo).
        MlNetInternals.SaveString(ctx, format.LoaderSignature);
        BinaryWriter w = MlNetInternals.GetSaveWriter(ctx);
        w.Write(EnvelopeVersion);
        w.Write(header.Length);
        w.Write(SHA256.HashData(header));
        w.Write(header);
        w.Write(streams.Count);
        foreach (var (name, bytes) in streams)
        {
            w.Write(name);
            w.Write(bytes.LongLength);
            w.Write(SHA256.HashData(bytes));
        }
        foreach (var (name, bytes) in streams)
            MlNetInternals.SaveBinaryStream(ctx, name, sw => sw.Write(bytes));
    }

    private const int EnvelopeVersion = 1;

    private static byte[] Capture(Action<BinaryWriter> write)
    {
        using var ms = new MemoryStream();
        using (var bw = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            write(bw);
            bw.Flush();
        }
        return ms.ToArray();
    }

    /// <summary>
    /// The shape requested in the design brief: same as the <see cref="PersistenceFormat"/> overload, with
    /// the written and readable versions both equal to <paramref name="version"/>.
    /// </summary>
    /// <param name="ctx">The context ML.NET passed to <c>Save</c>.</param>
    /// <param name="loaderSignature">Loader signature (1-24 chars).</param>
    /// <param name="modelSignature">Model signature (exactly 8 ASCII chars).</param>
    /// <param name="version">Format version.</param>
    /// <param name="writeHeader">Writes the main payload.</param>
    /// <param name="binaryStreams">Optional named side streams.</param>
    public static void Save(ModelSaveContext ctx, string loaderSignature, string modelSignature, uint version,
        Action<BinaryWriter> writeHeader, IReadOnlyDictionary<string, Action<BinaryWriter>>? binaryStreams = null)
        => Save(ctx, new PersistenceFormat(loaderSignature, modelSignature, version), writeHeader, binaryStreams);

    // Called by the emitted bridge: ctx is ML.NET's internal ModelLoadContext.
    private static ITransformer Dispatch(string loaderSignature, IHostEnvironment env, object ctx)
    {
        LoaderEntry entry;
        lock (s_lock)
        {
            if (!s_loaders.TryGetValue(loaderSignature, out entry!))
                throw new InvalidOperationException($"No loader registered for '{loaderSignature}'.");
        }
        MlNetInternals.CheckAtModel(ctx);
        var (modelSig, written, readable) = MlNetInternals.GetHeaderVersion(ctx);
        var f = entry.Format;
        // Our own checks (ML.NET's CheckVersionInfo works too but its messages talk about "ML.NET versions").
        if (modelSig != MlNetInternals.PackModelSignature(f.ModelSignature))
            throw new FormatException($"'{loaderSignature}': unexpected model signature in file (wrong payload kind or corrupt file).");
        if (readable > written)
            throw new FormatException($"'{loaderSignature}': corrupt header (readable version {readable} > written {written}).");
        if (readable > f.Version)
            throw new FormatException($"'{loaderSignature}': file format v{written} needs a newer loader (requires >= v{readable}, this code is v{f.Version}).");
        if (written < f.MinReadableVersion)
            throw new FormatException($"'{loaderSignature}': file format v{written} is too old (this code reads v{f.MinReadableVersion}..v{f.Version}).");

        string marker = MlNetInternals.LoadString(ctx);
        if (!string.Equals(marker, f.LoaderSignature, StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"'{loaderSignature}': payload marker mismatch ('{marker}'); corrupt file.");

        // Read the envelope. BinaryReader throws EndOfStreamException on a short entry; normalise every
        // decoding problem to FormatException, the type ML.NET itself uses for corrupt model files.
        BinaryReader r = MlNetInternals.GetLoadReader(ctx);
        byte[] header;
        var manifest = new Dictionary<string, (long, byte[])>(StringComparer.Ordinal);
        try
        {
            int envelope = r.ReadInt32();
            if (envelope != EnvelopeVersion)
                throw new FormatException($"unknown envelope version {envelope}");
            int len = r.ReadInt32();
            long remaining = r.BaseStream.Length - r.BaseStream.Position;
            if (len < 0 || len > remaining)
                throw new FormatException($"bad header length {len}");
            byte[] hash = r.ReadBytes(32);
            header = r.ReadBytes(len);
            if (header.Length != len || !SHA256.HashData(header).AsSpan().SequenceEqual(hash))
                throw new FormatException("header fails its SHA-256 check");
            int n = r.ReadInt32();
            if (n < 0 || n > 100_000)
                throw new FormatException($"bad stream count {n}");
            for (int i = 0; i < n; i++)
            {
                string name = r.ReadString();
                long slen = r.ReadInt64();
                byte[] shash = r.ReadBytes(32);
                if (slen < 0 || shash.Length != 32 || !manifest.TryAdd(name, (slen, shash)))
                    throw new FormatException($"bad manifest entry '{name}'");
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException)
        {
            throw new FormatException($"Corrupt model file: '{loaderSignature}' payload: {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw new FormatException($"Corrupt model file: '{loaderSignature}' payload: {e.Message}", e);
        }

        s_contexts.TryGetValue(env.ComponentCatalog, out var ml);
        var view = new LoadContextView(ctx, env, ml, written, header, manifest);
        ITransformer result = entry.Load(env, view) ?? throw new InvalidOperationException($"Loader '{loaderSignature}' returned null.");
        if (!view.HeaderFullyConsumed)
            throw new FormatException($"'{loaderSignature}': the loader did not read the whole saved header (format/version mismatch between Save and loader?).");
        return result;
    }
}
