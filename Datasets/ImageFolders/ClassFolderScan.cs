namespace MLToolkit.Datasets.ImageFolders;

/// <summary>Lists a folder of class subfolders and checks that each file in them is a readable image.</summary>
static class ClassFolderScan
{
    /// <summary>Files operating systems leave in folders; they are not data, so they are skipped without a warning.</summary>
    static readonly HashSet<string> Litter = new(StringComparer.OrdinalIgnoreCase) { ".DS_Store", "Thumbs.db", "desktop.ini" };

    /// <summary>Whether an entry is hidden or operating-system litter, which no user means as data.</summary>
    public static bool Ignored(FileSystemInfo entry) =>
        entry.Name.StartsWith('.') || Litter.Contains(entry.Name) || entry.Attributes.HasFlag(FileAttributes.Hidden);

    /// <summary>Names of the visible subfolders of <paramref name="folder"/>, sorted ordinally.</summary>
    public static string[] Subfolders(string folder) =>
        new DirectoryInfo(folder).EnumerateDirectories().Where(d => !Ignored(d)).Select(d => d.Name).Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The readable images of each of <paramref name="classes"/> under <paramref name="folder"/>
    /// (a class's folder may nest subfolders), sorted by path. An unreadable file or an empty class
    /// folder is reported through <paramref name="warn"/> (files also into <paramref name="skipped"/>),
    /// or throws in strict mode; an empty class keeps an empty list so the caller decides what it means.
    /// </summary>
    /// <exception cref="InvalidDataException">Strict mode, and a file is not a readable image or a class folder has none.</exception>
    public static Dictionary<string, List<string>> Images(string folder, IReadOnlyList<string> classes, ImageFolderOptions options,
        Action<string> warn, List<(string Path, string Reason)> skipped)
    {
        var images = new Dictionary<string, List<string>>();
        foreach (var name in classes)
        {
            var classFolder = Path.Combine(folder, name);
            var files = new List<string>();
            foreach (var file in Files(new DirectoryInfo(classFolder)).Order(StringComparer.Ordinal))
            {
                if (ImageCheck.Problem(file) is { } problem)
                {
                    if (options.Strict) throw new InvalidDataException($"'{file}' is not a readable image: {problem}.");
                    skipped.Add((file, problem));
                    warn($"warning: skipping '{file}': {problem}");
                    continue;
                }
                files.Add(file);
            }
            if (files.Count == 0)
            {
                if (options.Strict) throw new InvalidDataException($"Class folder '{classFolder}' holds no readable images.");
                warn($"warning: skipping class folder '{classFolder}': it holds no readable images");
            }
            images[name] = files;
        }
        return images;
    }

    /// <summary>Full paths of the visible files under <paramref name="folder"/> and its visible subfolders.</summary>
    static IEnumerable<string> Files(DirectoryInfo folder) =>
        folder.EnumerateFiles().Where(f => !Ignored(f)).Select(f => f.FullName)
            .Concat(folder.EnumerateDirectories().Where(d => !Ignored(d)).SelectMany(Files));
}
