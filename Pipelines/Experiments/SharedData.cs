namespace MLToolkit.Pipelines.Experiments;

/// <summary>Finds datasets that are not vendored: a <c>shared/datasets/&lt;name&gt;</c> folder above the working directory or the app.</summary>
public static class SharedData
{
    /// <summary>The first <c>shared/datasets/<paramref name="name"/></c> found walking up, else that relative path.</summary>
    public static string Folder(string name)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "datasets", name);
                if (Directory.Exists(candidate)) return candidate;
            }
        return Path.Combine("shared", "datasets", name);
    }
}
