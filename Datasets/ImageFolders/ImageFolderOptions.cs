namespace MLToolkit.Datasets.ImageFolders;

/// <summary>How <see cref="ImageFolder.Load"/> splits and checks a folder of images.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Share of each class held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Share of each class held out for testing.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Seed of the shuffle that assigns files to splits.</summary>
    public int Seed { get; init; }

    /// <summary>Fail on the first unreadable file instead of skipping it with a warning.</summary>
    public bool Strict { get; init; }

    /// <summary>Receives one line per skipped file; null writes to standard error.</summary>
    public Action<string>? Warning { get; init; }
}
