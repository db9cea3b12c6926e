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

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLToolkit.Trainers.Persistence
{
    /// <summary>
    /// Identifies the on-disk format of one kind of custom transformer: the loader signature that the
    /// ML.NET model header uses to find the loader, the model signature that guards against reading
    /// the wrong kind of payload, and the version numbers used for compatibility checks.
    /// </summary>
    public sealed class PersistenceFormat
    {
        /// <summary>Creates a format description.</summary>
        /// <param name="loaderSignature">Name under which the loader is registered and written in the header
        /// (1-24 characters, each at most U+00FF; matched case-insensitively by ML.NET). Must not collide with
        /// an ML.NET component's loader signature.</param>
        /// <param name="modelSignature">Payload tag, exactly 8 ASCII characters (ML.NET's VersionInfo checks the length and packs it into a ulong), e.g. "WSCORE01".</param>
        /// <param name="version">Version written by the current code.</param>
        /// <param name="minReadableVersion">Oldest written version the current loader still understands;
        /// also written as the "readable by" version, so an older loader whose version is below it refuses the file.
        /// Defaults to <paramref name="version"/>.</param>
        public PersistenceFormat(string loaderSignature, string modelSignature, uint version, uint? minReadableVersion = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(loaderSignature);
            ArgumentException.ThrowIfNullOrEmpty(modelSignature);
            // Limits come from ModelHeader: 3 ulongs of 8 one-byte chars for the loader signature,
            // one ulong of 8 one-byte chars for the model signature.
            if (loaderSignature.Length > 24 || !IsByteChars(loaderSignature))
                throw new ArgumentException("Loader signature must be 1-24 characters, each <= U+00FF.", nameof(loaderSignature));
            if (modelSignature.Length != 8 || !IsAscii(modelSignature))
                throw new ArgumentException("Model signature must be exactly 8 ASCII characters (VersionInfo requires it).", nameof(modelSignature));
            if (version == 0)
                throw new ArgumentOutOfRangeException(nameof(version), "Version must be positive.");
            uint min = minReadableVersion ?? version;
            if (min == 0 || min > version)
                throw new ArgumentOutOfRangeException(nameof(minReadableVersion), "Must be in [1, version].");
            LoaderSignature = loaderSignature;
            ModelSignature = modelSignature;
            Version = version;
            MinReadableVersion = min;
        }

        /// <summary>Loader signature written in the model header and used to look the loader up.</summary>
        public string LoaderSignature { get; }

        /// <summary>Model signature (exactly 8 ASCII characters) written in the model header.</summary>
        public string ModelSignature { get; }

        /// <summary>Version written by the current code.</summary>
        public uint Version { get; }

        /// <summary>Oldest written version the current loader can read.</summary>
        public uint MinReadableVersion { get; }

        private static bool IsByteChars(string s)
        {
            foreach (char c in s)
                if (c > 0xFF) return false;
            return true;
        }

        private static bool IsAscii(string s)
        {
            foreach (char c in s)
                if (c > 0x7F) return false;
            return true;
        }
    }

    /// <summary>
    /// What a registered loader receives: the verified payload written by the save-side <c>writeHeader</c>
    /// callback and access to the named binary side streams. Only valid during the loader call.
    /// </summary>
    public sealed class LoadContextView
    {
        private readonly object _ctx;
        private readonly IReadOnlyDictionary<string, (long Length, byte[] Sha256)> _manifest;

        internal LoadContextView(object ctx, IHostEnvironment env, MLContext? context, uint versionWritten,
            byte[] header, IReadOnlyDictionary<string, (long Length, byte[] Sha256)> manifest)
        {
            _ctx = ctx;
            _manifest = manifest;
            Environment = env;
            Context = context;
            VersionWritten = versionWritten;
            Reader = new BinaryReader(new MemoryStream(header, writable: false));
        }

        /// <summary>
        /// Reader over exactly the bytes written by <c>writeHeader</c> at save time (already checked against the
        /// SHA-256 stored in the file). The loader must consume all of them; leftover bytes are reported as a
        /// <see cref="FormatException"/> (same rule as ML.NET's own loaders).
        /// </summary>
        public BinaryReader Reader { get; }

        /// <summary>The environment ML.NET passes to loaders (ML.NET's internal environment of the
        /// loading <see cref="MLContext"/>, not the MLContext object itself).</summary>
        public IHostEnvironment Environment { get; }

        /// <summary>
        /// The <see cref="MLContext"/> that was passed to <see cref="ModelPersistence.Register(MLContext)"/> and
        /// whose component catalog is performing this load, or null if registration went through
        /// <see cref="ModelPersistence.Register(IHostEnvironment)"/>. Useful to rebuild inner transformers with
        /// public catalog APIs (for example <c>ml.Transforms.CustomMapping</c>), whose constructors are internal.
        /// </summary>
        public MLContext? Context { get; }

        /// <summary>The format version that was written in the file (already checked against the registered
        /// <see cref="PersistenceFormat"/>), so a loader can branch on older layouts.</summary>
        public uint VersionWritten { get; }

        /// <summary>Names of the binary side streams recorded at save time.</summary>
        public IEnumerable<string> BinaryStreamNames => _manifest.Keys;

        /// <summary>
        /// Reads a binary side stream saved with this transformer. Returns false if no stream of that name was
        /// saved. The stream is read into memory and its length and SHA-256 verified before <paramref name="read"/>
        /// is called (ML.NET's zip reader does not detect a corrupted entry: a flipped byte silently changed weights
        /// in the probe).
        /// </summary>
        /// <param name="name">Stream name used at save time.</param>
        /// <param name="read">Callback given a reader over the verified bytes.</param>
        /// <exception cref="FormatException">The stream is recorded but missing, or its content does not match.</exception>
        public bool TryLoadBinaryStream(string name, Action<BinaryReader> read)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(read);
            byte[]? bytes = ReadBinaryStreamOrNull(name);
            if (bytes is null)
                return false;
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false));
            read(reader);
            return true;
        }

        /// <summary>Reads and verifies a whole binary side stream, or returns null if no stream of that name was saved.</summary>
        /// <param name="name">Stream name used at save time.</param>
        /// <exception cref="FormatException">The stream is recorded but missing, or its content does not match.</exception>
        public byte[]? ReadBinaryStreamOrNull(string name)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            if (!_manifest.TryGetValue(name, out var expected))
                return null;
            byte[]? bytes = null;
            bool found = ModelPersistence.Internals.TryLoadBinaryStream(_ctx, name, r =>
            {
                using var ms = new MemoryStream();
                r.BaseStream.CopyTo(ms);
                bytes = ms.ToArray();
            });
            if (!found || bytes is null)
                throw new FormatException($"Corrupt model file: binary stream '{name}' is missing.");
            if (bytes.LongLength != expected.Length || !SHA256.HashData(bytes).AsSpan().SequenceEqual(expected.Sha256))
                throw new FormatException($"Corrupt model file: binary stream '{name}' fails its length/SHA-256 check.");
            return bytes;
        }

        /// <summary>Reads and verifies a whole binary side stream.</summary>
        /// <param name="name">Stream name used at save time.</param>
        /// <exception cref="FormatException">No such stream was saved, it is missing, or its content does not match.</exception>
        public byte[] ReadBinaryStream(string name) =>
            ReadBinaryStreamOrNull(name)
            ?? throw new FormatException($"Model file has no binary stream '{name}'.");

        internal bool HeaderFullyConsumed => Reader.BaseStream.Position == Reader.BaseStream.Length;
    }

    /// <summary>
    /// Save/load support for third-party <see cref="ITransformer"/>s inside ordinary ML.NET model files.
    /// </summary>
    /// <remarks>
    /// Usage: (1) once per process, <see cref="RegisterLoader"/> for each transformer kind (e.g. from a static
    /// constructor or module initializer of the assembly that defines it); (2) implement
    /// <see cref="ICanSaveModel"/> on the transformer and call <see cref="Save(ModelSaveContext, PersistenceFormat, Action{BinaryWriter}, IReadOnlyDictionary{string, Action{BinaryWriter}}?)"/>
    /// from it; (3) before <c>ml.Model.Load</c>, call <see cref="Register(MLContext)"/> on the loading context.
    /// </remarks>
    public static class ModelPersistence
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
                Assembly bridge = Internals.EmitBridge(format.LoaderSignature, (env, ctx) => Dispatch(format.LoaderSignature, env, ctx));

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

            Internals.CheckAtModel(ctx);
            Internals.SetVersionInfo(ctx, format);
            // The first item of the payload is a string-table reference to the loader signature. Besides being a
            // cheap sanity check, it works around an ML.NET 5.0.1 bug: an entry with neither a string table nor a
            // loader assembly name fails ModelHeader.TryValidate on load (FormatException "One of the identified
            // items was in an invalid format"), and we deliberately write no assembly name (see SetVersionInfo).
            Internals.SaveString(ctx, format.LoaderSignature);
            BinaryWriter w = Internals.GetSaveWriter(ctx);
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
                Internals.SaveBinaryStream(ctx, name, sw => sw.Write(bytes));
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
            Internals.CheckAtModel(ctx);
            var (modelSig, written, readable) = Internals.GetHeaderVersion(ctx);
            var f = entry.Format;
            // Our own checks (ML.NET's CheckVersionInfo works too but its messages talk about "ML.NET versions").
            if (modelSig != Internals.PackModelSignature(f.ModelSignature))
                throw new FormatException($"'{loaderSignature}': unexpected model signature in file (wrong payload kind or corrupt file).");
            if (readable > written)
                throw new FormatException($"'{loaderSignature}': corrupt header (readable version {readable} > written {written}).");
            if (readable > f.Version)
                throw new FormatException($"'{loaderSignature}': file format v{written} needs a newer loader (requires >= v{readable}, this code is v{f.Version}).");
            if (written < f.MinReadableVersion)
                throw new FormatException($"'{loaderSignature}': file format v{written} is too old (this code reads v{f.MinReadableVersion}..v{f.Version}).");

            string marker = Internals.LoadString(ctx);
            if (!string.Equals(marker, f.LoaderSignature, StringComparison.OrdinalIgnoreCase))
                throw new FormatException($"'{loaderSignature}': payload marker mismatch ('{marker}'); corrupt file.");

            // Read the envelope. BinaryReader throws EndOfStreamException on a short entry; normalise every
            // decoding problem to FormatException, the type ML.NET itself uses for corrupt model files.
            BinaryReader r = Internals.GetLoadReader(ctx);
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

        /// <summary>All reflection on ML.NET internals lives here, resolved once and checked eagerly.</summary>
        internal static class Internals
        {
            private const BindingFlags Inst = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
            private static readonly Assembly s_core = typeof(ModelSaveContext).Assembly;

            private static Type CoreType(string name) =>
                s_core.GetType(name, throwOnError: false)
                ?? throw Missing(name);

            private static MissingMemberException Missing(string what) => new MissingMemberException(
                $"ML.NET internal '{what}' not found in {s_core.GetName().Name} {s_core.GetName().Version}; " +
                "MLToolkit.Trainers.Persistence was written against Microsoft.ML 5.0.1.");

            private static MethodInfo Method(Type t, string name, params Type[] args) =>
                t.GetMethod(name, Inst, binder: null, args, modifiers: null) ?? throw Missing($"{t.Name}.{name}");

            private static FieldInfo Field(Type t, string name) =>
                t.GetField(name, Inst) ?? throw Missing($"{t.Name}.{name}");

            // ----- save side (ModelSaveContext is public, its members internal)
            private static readonly Type s_versionInfo = CoreType("Microsoft.ML.VersionInfo");
            private static readonly ConstructorInfo s_versionInfoCtor =
                s_versionInfo.GetConstructor(new[] { typeof(string), typeof(uint), typeof(uint), typeof(uint), typeof(string), typeof(string), typeof(string) })
                ?? throw Missing("VersionInfo..ctor");
            private static readonly MethodInfo s_saveCheckAtModel = Method(typeof(ModelSaveContext), "CheckAtModel");
            private static readonly MethodInfo s_setVersionInfo = Method(typeof(ModelSaveContext), "SetVersionInfo", s_versionInfo);
            private static readonly MethodInfo s_saveBinaryStream = Method(typeof(ModelSaveContext), "SaveBinaryStream", typeof(string), typeof(Action<BinaryWriter>));
            private static readonly FieldInfo s_saveWriter = Field(typeof(ModelSaveContext), "Writer");
            private static readonly MethodInfo s_saveString = Method(typeof(ModelSaveContext), "SaveString", typeof(string));

            // ----- load side (ModelLoadContext itself is internal)
            private static readonly Type s_loadCtx = CoreType("Microsoft.ML.ModelLoadContext");
            private static readonly Type s_signatureLoadModel = CoreType("Microsoft.ML.SignatureLoadModel");
            private static readonly Type s_loadableClassAttr = CoreType("Microsoft.ML.LoadableClassAttribute");
            private static readonly FieldInfo s_loadReader = Field(s_loadCtx, "Reader");
            private static readonly FieldInfo s_loadHeader = Field(s_loadCtx, "Header");
            private static readonly MethodInfo s_loadCheckAtModel = Method(s_loadCtx, "CheckAtModel");
            private static readonly MethodInfo s_loadString = Method(s_loadCtx, "LoadString");
            private static readonly MethodInfo s_tryLoadBinaryStream = Method(s_loadCtx, "TryLoadBinaryStream", typeof(string), typeof(Action<BinaryReader>));
            private static readonly Type s_header = CoreType("Microsoft.ML.ModelHeader");
            private static readonly FieldInfo s_hdrModelSig = Field(s_header, "ModelSignature");
            private static readonly FieldInfo s_hdrVerWritten = Field(s_header, "ModelVerWritten");
            private static readonly FieldInfo s_hdrVerReadable = Field(s_header, "ModelVerReadable");
            // (instType, loaderType, argType, sigType, userName, params loadNames)
            private static readonly ConstructorInfo s_loadableCtor =
                s_loadableClassAttr.GetConstructor(new[] { typeof(Type), typeof(Type), typeof(Type), typeof(Type), typeof(string), typeof(string[]) })
                ?? throw Missing("LoadableClassAttribute..ctor(Type,Type,Type,Type,string,string[])");

            private static int s_bridgeCounter;
            private static readonly ConcurrentDictionary<string, Assembly> s_bridges = new(StringComparer.Ordinal);
            private static int s_resolverInstalled;

            // The LoadableClass attribute blob names the bridge type by assembly-qualified name; when ML.NET reads the
            // attribute, the runtime resolves that name with Assembly.Load, which never finds dynamic (emitted)
            // assemblies. This process-wide handler answers only for our own bridge assembly names.
            private static void InstallResolver()
            {
                if (Interlocked.Exchange(ref s_resolverInstalled, 1) == 0)
                {
                    AppDomain.CurrentDomain.AssemblyResolve += (_, args) =>
                        s_bridges.TryGetValue(new AssemblyName(args.Name).Name ?? "", out var asm) ? asm : null;
                }
            }

            // Reflection wraps exceptions thrown by the target; unwrap so callers see ML.NET's own exception.
            private static object? Call(MethodInfo m, object target, params object?[] args)
            {
                try { return m.Invoke(target, args); }
                catch (TargetInvocationException e) when (e.InnerException != null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                    throw; // unreachable
                }
            }

            public static void CheckAtModel(ModelSaveContext ctx) => Call(s_saveCheckAtModel, ctx);

            public static void SetVersionInfo(ModelSaveContext ctx, PersistenceFormat f)
            {
                // loaderAssemblyName = null on purpose: ML.NET would Assembly.Load it at load time, which ties
                // the file to an exact assembly name/version and buys nothing here (registration is explicit).
                object ver;
                try
                {
                    ver = s_versionInfoCtor.Invoke(new object?[]
                    {
                        f.ModelSignature, f.Version, f.MinReadableVersion, f.MinReadableVersion, null, f.LoaderSignature, null,
                    });
                }
                catch (TargetInvocationException e) when (e.InnerException != null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                    throw; // unreachable
                }
                Call(s_setVersionInfo, ctx, ver);
            }

            public static BinaryWriter GetSaveWriter(ModelSaveContext ctx) =>
                (BinaryWriter?)s_saveWriter.GetValue(ctx) ?? throw new InvalidOperationException("ModelSaveContext has no writer.");

            public static void SaveBinaryStream(ModelSaveContext ctx, string name, Action<BinaryWriter> write) =>
                Call(s_saveBinaryStream, ctx, name, write);

            public static void SaveString(ModelSaveContext ctx, string value) => Call(s_saveString, ctx, value);

            public static string LoadString(object ctx) => (string)Call(s_loadString, ctx)!;

            public static BinaryReader GetLoadReader(object ctx) =>
                (BinaryReader?)s_loadReader.GetValue(ctx) ?? throw new InvalidOperationException("ModelLoadContext has no reader.");

            public static void CheckAtModel(object ctx) => Call(s_loadCheckAtModel, ctx);

            public static bool TryLoadBinaryStream(object ctx, string name, Action<BinaryReader> read) =>
                (bool)Call(s_tryLoadBinaryStream, ctx, name, read)!;

            public static (ulong ModelSignature, uint Written, uint Readable) GetHeaderVersion(object ctx)
            {
                object header = s_loadHeader.GetValue(ctx)!; // boxed copy of the struct; read-only use
                return ((ulong)s_hdrModelSig.GetValue(header)!, (uint)s_hdrVerWritten.GetValue(header)!, (uint)s_hdrVerReadable.GetValue(header)!);
            }

            // Same packing as VersionInfo's constructor (little-endian, one byte per char, space -> 0).
            public static ulong PackModelSignature(string sig)
            {
                ulong v = 0;
                for (int i = 0; i < sig.Length; i++)
                    if (sig[i] != ' ')
                        v |= (ulong)sig[i] << (i * 8);
                return v;
            }

            /// <summary>
            /// Emits "MLToolkit.PersistenceBridge.N" with
            /// <c>public static class Bridge { public static Func&lt;IHostEnvironment, object, ITransformer&gt; Target;
            /// public static ITransformer Create(IHostEnvironment env, ModelLoadContext ctx) =&gt; Target(env, ctx); }</c>
            /// and <c>[assembly: LoadableClass(typeof(ITransformer), typeof(Bridge), null, typeof(SignatureLoadModel), "", sig)]</c>.
            /// </summary>
            public static Assembly EmitBridge(string loaderSignature, Func<IHostEnvironment, object, ITransformer> target)
            {
                int n = Interlocked.Increment(ref s_bridgeCounter);
                var name = new AssemblyName($"MLToolkit.PersistenceBridge.{n}");
                var ab = AssemblyBuilder.DefineDynamicAssembly(name, AssemblyBuilderAccess.Run);
                var mb = ab.DefineDynamicModule(name.Name!);

                // The runtime silently drops a custom attribute whose constructor is not accessible from the
                // decorated assembly (LoadableClassAttribute is internal), so Assembly.GetCustomAttributes - used by
                // RegisterAssembly - would return nothing. [IgnoresAccessChecksTo("Microsoft.ML.Core")], honoured
                // by CoreCLR when declared in the accessing assembly itself, makes it visible.
                var iact = mb.DefineType("System.Runtime.CompilerServices.IgnoresAccessChecksToAttribute",
                    TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(Attribute));
                var iactCtor = iact.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, new[] { typeof(string) });
                var cil = iactCtor.GetILGenerator();
                cil.Emit(OpCodes.Ldarg_0);
                cil.Emit(OpCodes.Call, typeof(Attribute).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic, binder: null, Type.EmptyTypes, modifiers: null)!);
                cil.Emit(OpCodes.Ret);
                iact.SetCustomAttribute(new CustomAttributeBuilder(
                    typeof(AttributeUsageAttribute).GetConstructor(new[] { typeof(AttributeTargets) })!, new object[] { AttributeTargets.Assembly },
                    new[] { typeof(AttributeUsageAttribute).GetProperty(nameof(AttributeUsageAttribute.AllowMultiple))! }, new object[] { true }));
                Type iactType = iact.CreateType()!;
                ab.SetCustomAttribute(new CustomAttributeBuilder(iactType.GetConstructor(new[] { typeof(string) })!, new object[] { s_core.GetName().Name! }));

                var tb = mb.DefineType("Bridge", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed | TypeAttributes.Class);
                var fTarget = tb.DefineField("Target", typeof(Func<IHostEnvironment, object, ITransformer>), FieldAttributes.Public | FieldAttributes.Static);

                // The catalog's FindCreateMethod wants: static method named Create, parameter types exactly
                // (IHostEnvironment, ModelLoadContext), declared on the loader type, return type == instType.
                // The runtime does not check accessibility of types used only in a signature, so the internal
                // ModelLoadContext is fine here; the IL itself touches only public members.
                var create = tb.DefineMethod("Create", MethodAttributes.Public | MethodAttributes.Static,
                    typeof(ITransformer), new[] { typeof(IHostEnvironment), s_loadCtx });
                var il = create.GetILGenerator();
                il.Emit(OpCodes.Ldsfld, fTarget);
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Callvirt, typeof(Func<IHostEnvironment, object, ITransformer>).GetMethod("Invoke")!);
                il.Emit(OpCodes.Ret);
                Type bridge = tb.CreateType()!;
                bridge.GetField("Target")!.SetValue(null, target);

                // userName "" = hidden component (not listed in any UI/help); argType null = no options object.
                ab.SetCustomAttribute(new CustomAttributeBuilder(s_loadableCtor, new object?[]
                {
                    typeof(ITransformer), bridge, null, s_signatureLoadModel, "", new[] { loaderSignature },
                }));
                s_bridges[name.Name!] = ab;
                InstallResolver();
                return ab;
            }
        }
    }
}
