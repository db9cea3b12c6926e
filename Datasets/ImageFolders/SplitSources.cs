using System.Globalization;

namespace MLToolkit.Datasets.ImageFolders;

/// <summary>
/// Which folder feeds each split, decided from the root's subfolders or the explicit options. A root
/// holding <c>train/</c> and <c>val/</c> once trained "train vs val"; detecting split folders, and
/// refusing a root that mixes them with class folders, stops that.
/// </summary>
/// <param name="Layout">The layout found.</param>
/// <param name="Train">Full path of the training folder (for class folders, the root that is split by fraction).</param>
/// <param name="Validation">Full path of the validation folder, or null.</param>
/// <param name="Test">Full path of the test folder, or null.</param>
sealed record SplitSources(ImageFolderLayout Layout, string Train, string? Validation, string? Test)
{
    const string Layouts =
        "ImageFolder reads three layouts: class folders (<root>/<class>/<image>, split by ValidationFraction and TestFraction); " +
        "split folders (<root>/train/<class>/<image>, with optional val/ or validation/ and test/ beside train/, used as given); " +
        "explicit folders (ImageFolderOptions.TrainFolder, and optionally ValidationFolder and TestFolder, each a folder of class subfolders, with path null)";

    /// <summary>The split folders present, named as in messages.</summary>
    public IEnumerable<(string Split, string Folder)> Held()
    {
        if (Validation is not null) yield return ("validation", Validation);
        if (Test is not null) yield return ("test", Test);
    }

    /// <summary>Where each split comes from, for logs.</summary>
    public string Describe(ImageFolderOptions options) => Layout == ImageFolderLayout.ClassFolders
        ? string.Create(CultureInfo.InvariantCulture,
            $"train, val, test: split from {Train} by fraction (val {options.ValidationFraction}, test {options.TestFraction}, seed {options.Seed})")
        : $"train: {Train}, val: {Validation ?? "none"}, test: {Test ?? "none"}";

    /// <summary>Finds the layout of <paramref name="path"/> or of the explicit folders in <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">Both or neither of a root and TrainFolder, or Validation/TestFolder without TrainFolder.</exception>
    /// <exception cref="DirectoryNotFoundException">A folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The root mixes split folders with other folders, has both val/ and validation/, or has split folders but no train/.</exception>
    public static SplitSources Find(string? path, ImageFolderOptions options)
    {
        if (options.TrainFolder is null)
        {
            if (options.ValidationFolder is not null || options.TestFolder is not null)
                throw new ArgumentException("ImageFolderOptions.ValidationFolder and TestFolder need TrainFolder as well; set TrainFolder, or pass the root folder as path and leave all three null.", nameof(options));
            if (path is null)
                throw new ArgumentException("Pass the image folder as path, or set ImageFolderOptions.TrainFolder (with path null).", nameof(path));
            if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"Image folder '{path}' does not exist.");
            return FromRoot(Path.GetFullPath(path));
        }
        if (path is not null)
            throw new ArgumentException($"Pass either a root folder as path ('{path}') or ImageFolderOptions.TrainFolder ('{options.TrainFolder}'), not both.", nameof(path));
        return new SplitSources(ImageFolderLayout.ExplicitFolders, Explicit(options.TrainFolder, nameof(options.TrainFolder))!,
            Explicit(options.ValidationFolder, nameof(options.ValidationFolder)), Explicit(options.TestFolder, nameof(options.TestFolder)));
    }

    static SplitSources FromRoot(string root)
    {
        var names = ClassFolderScan.Subfolders(root);
        var splits = names.Where(n => SplitKey(n) is not null).ToArray();
        if (splits.Length == 0) return new SplitSources(ImageFolderLayout.ClassFolders, root, null, null);

        var others = names.Except(splits).ToArray();
        var twice = splits.GroupBy(SplitKey).FirstOrDefault(g => g.Count() > 1);
        string? problem = others.Length > 0 ? $"it mixes split folders ({Quote(splits)}) with other folders ({Quote(others)})"
            : twice is not null ? $"it has {Quote(twice)}, which name the same split"
            : !splits.Any(s => SplitKey(s) == "train") ? $"it has split folders ({Quote(splits)}) but no train/"
            : null;
        if (problem is not null)
            throw new InvalidDataException($"'{root}' is not a layout ImageFolder can read: {problem}. {Layouts}.");

        string? Split(string key) => splits.FirstOrDefault(s => SplitKey(s) == key) is { } name ? Path.Combine(root, name) : null;
        return new SplitSources(ImageFolderLayout.SplitFolders, Split("train")!, Split("val"), Split("test"));
    }

    /// <summary>"train", "val" or "test" for a split folder name in any case (validation counts as val); null for any other name.</summary>
    static string? SplitKey(string name) => name.ToLowerInvariant() switch
    {
        "train" => "train",
        "val" or "validation" => "val",
        "test" => "test",
        _ => null,
    };

    /// <summary>The full path of an explicit folder, checked to exist and to hold classes rather than split folders.</summary>
    static string? Explicit(string? folder, string option)
    {
        if (folder is null) return null;
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"ImageFolderOptions.{option} '{folder}' does not exist.");
        var splits = ClassFolderScan.Subfolders(full).Where(n => SplitKey(n) is not null).ToArray();
        if (splits.Length > 0)
            throw new InvalidDataException($"ImageFolderOptions.{option} '{full}' holds split folders ({Quote(splits)}), not class folders; point it at one split's folder, or pass the root as path. {Layouts}.");
        return full;
    }

    static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
