namespace MLToolkit.Datasets.Detection;

/// <summary>
/// Settings of generated MNIST detection scenes. The defaults are the fixed set <c>detect-mnist</c> is measured on:
/// 128×128 canvases with 1–5 digits each, scaled to 16–56 pixels, 20,000 training and 1,000 test scenes, seed 0.
/// A digit is placed where its square overlaps every earlier digit's box by at most <see cref="MaxOverlap"/> IoU
/// (20 tries, then it is left out), so that every object stays visible; its box is the tight box around its ink
/// (pixels of at least <see cref="InkThreshold"/> brightness).
/// </summary>
public sealed record DetectionSceneOptions
{
    /// <summary>Canvas side in pixels.</summary>
    public int Size { get; init; } = 128;

    /// <summary>Fewest digits per scene.</summary>
    public int MinDigits { get; init; } = 1;

    /// <summary>Most digits per scene.</summary>
    public int MaxDigits { get; init; } = 5;

    /// <summary>Smallest side of a scaled digit (the 28-pixel MNIST square) in pixels.</summary>
    public int MinDigitSize { get; init; } = 16;

    /// <summary>Largest side of a scaled digit in pixels.</summary>
    public int MaxDigitSize { get; init; } = 56;

    /// <summary>Largest IoU of a new digit's square with an earlier digit's box.</summary>
    public float MaxOverlap { get; init; } = 0.3f;

    /// <summary>Brightness (0–1) from which a pixel counts as ink for the box.</summary>
    public float InkThreshold { get; init; } = 0.25f;

    /// <summary>Training scenes (made from MNIST's training digits).</summary>
    public int TrainScenes { get; init; } = 20_000;

    /// <summary>Test scenes (made from MNIST's test digits).</summary>
    public int TestScenes { get; init; } = 1_000;

    /// <summary>Seed: the same seed gives the same scenes.</summary>
    public int Seed { get; init; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range, naming it.</exception>
    public void Validate()
    {
        if (Size < 8) throw new ArgumentException($"DetectionSceneOptions.Size must be at least 8; it is {Size}.");
        if (MinDigits < 1 || MaxDigits < MinDigits)
            throw new ArgumentException($"DetectionSceneOptions digit counts must satisfy 1 <= MinDigits <= MaxDigits; they are {MinDigits} and {MaxDigits}.");
        if (MinDigitSize < 4 || MaxDigitSize < MinDigitSize || MaxDigitSize > Size)
            throw new ArgumentException($"DetectionSceneOptions digit sizes must satisfy 4 <= MinDigitSize <= MaxDigitSize <= Size; they are {MinDigitSize}, {MaxDigitSize} and {Size}.");
        if (MaxOverlap is < 0 or > 1) throw new ArgumentException($"DetectionSceneOptions.MaxOverlap must be in [0, 1]; it is {MaxOverlap}.");
        if (InkThreshold is <= 0 or >= 1) throw new ArgumentException($"DetectionSceneOptions.InkThreshold must be between 0 and 1; it is {InkThreshold}.");
        if (TrainScenes < 1 || TestScenes < 1) throw new ArgumentException($"DetectionSceneOptions needs at least one training and one test scene; it has {TrainScenes} and {TestScenes}.");
    }
}
