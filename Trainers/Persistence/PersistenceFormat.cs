namespace MLToolkit.Trainers.Persistence;

/// <summary>
/// Identifies the on-disk format of one kind of custom transformer: the loader signature that the
/// ML.NET model header uses to find the loader, the model signature that guards against reading
/// the wrong kind of payload, and the version numbers used for compatibility checks.
/// </summary>
internal sealed class PersistenceFormat
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
