namespace MLToolkit.Datasets.ImageFolders;

/// <summary>How <see cref="ImageFolder.Load"/> and <see cref="ImageFolder.LoadPaths"/> find, split and check a folder of images.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Share of each class held out for validation (class-folder layout only; split folders are used as given).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Share of each class held out for testing (class-folder layout only; split folders are used as given).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Seed of the shuffle that assigns files to splits and orders the training rows.</summary>
    public int Seed { get; init; }

    /// <summary>Fail on the first unreadable file or empty class folder instead of skipping it with a warning.</summary>
    public bool Strict { get; init; }

    /// <summary>Receives one line per skipped file or empty class folder; null writes to standard error.</summary>
    public Action<string>? Warning { get; init; }

    /// <summary>
    /// A folder of class subfolders used as the training split (absolute, or relative to the current
    /// directory). Setting it selects <see cref="ImageFolderLayout.ExplicitFolders"/>; the root path
    /// must then be null.
    /// </summary>
    public string? TrainFolder { get; init; }

    /// <summary>A folder of class subfolders used as the validation split; needs <see cref="TrainFolder"/>. Null leaves validation empty.</summary>
    public string? ValidationFolder { get; init; }

    /// <summary>A folder of class subfolders used as the test split; needs <see cref="TrainFolder"/>. Null leaves test empty.</summary>
    public string? TestFolder { get; init; }
}
