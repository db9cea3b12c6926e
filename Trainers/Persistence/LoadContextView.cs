using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLToolkit.Trainers.Persistence;


/// <summary>
/// What a registered loader receives: the verified payload written by the save-side <c>writeHeader</c>
/// callback and access to the named binary side streams. Only valid during the loader call.
/// </summary>
internal sealed class LoadContextView
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
        bool found = MlNetInternals.TryLoadBinaryStream(_ctx, name, r =>
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
