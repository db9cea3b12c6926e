using MLToolkit.Datasets.ModelFiles;

namespace MLToolkit.Datasets.ImageFolders;

/// <summary>
/// How a model's training images were split: the root folder and the seed and fractions that cut it.
/// Kept inside the saved model file (an extra entry of its zip, which ML.NET's loader ignores) so that
/// evaluating the model on the same root scores the same held-out test images, not all of them.
/// </summary>
/// <param name="Root">Full path of the class-folder root that was split.</param>
/// <param name="Seed">Seed of the split.</param>
/// <param name="ValidationFraction">Share held out for validation.</param>
/// <param name="TestFraction">Share held out for testing.</param>
public sealed record ImageFolderSplit(string Root, int Seed, double ValidationFraction, double TestFraction)
{
    const string NoteName = "ImageFolderSplit";

    /// <summary>The split that <paramref name="options"/> make of <paramref name="root"/>.</summary>
    public static ImageFolderSplit Of(string root, ImageFolderOptions options) =>
        new(Path.GetFullPath(root), options.Seed, options.ValidationFraction, options.TestFraction);

    /// <summary>Options that cut the same split again.</summary>
    public ImageFolderOptions ToOptions() => new() { Seed = Seed, ValidationFraction = ValidationFraction, TestFraction = TestFraction };

    /// <summary>Whether <paramref name="folder"/> is the root this split was made of.</summary>
    public bool IsOf(string folder) => string.Equals(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar), Root.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);

    /// <summary>Records the split inside the model file at <paramref name="modelPath"/> (replacing an earlier record).</summary>
    public void WriteTo(string modelPath) => ModelNotes.Write(modelPath, NoteName, this);

    /// <summary>The split recorded in the model file, or null when it has none (a model not trained on a split class-folder root).</summary>
    public static ImageFolderSplit? ReadFrom(string modelPath) => ModelNotes.Read<ImageFolderSplit>(modelPath, NoteName);
}
