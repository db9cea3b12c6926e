namespace MLToolkit.Trainers.Networks.Pretrained;

/// <summary>
/// Finds the ImageNet-trained ResNet-18 that the NuGet package
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> ships as ONNX (converted from CNTK 2.6). Offline:
/// the file comes from the restored package, never from the network.
/// </summary>
public static class ResNet18Package
{
    /// <summary>The package's id.</summary>
    public const string Id = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary>The package version the toolkit is built and tested with.</summary>
    public const string Version = "0.23.1";

    const string RelativePath = "DnnImageModels/ResNet18Onnx/ResNet18.onnx";

    /// <summary>
    /// The ONNX file: next to the app (where the package's build step copied it), else in the NuGet
    /// packages folder (<c>NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>) at any restored version.
    /// </summary>
    /// <exception cref="FileNotFoundException">Neither holds it; the message says which package to add.</exception>
    public static string OnnxPath()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, RelativePath);
        if (File.Exists(beside)) return beside;
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var folder = Path.Combine(packages, Id.ToLowerInvariant());
        var preferred = Path.Combine(folder, Version, "tools", RelativePath);
        if (File.Exists(preferred)) return preferred;
        var any = Directory.Exists(folder)
            ? Directory.GetDirectories(folder).Select(v => Path.Combine(v, "tools", RelativePath)).Where(File.Exists).Order().LastOrDefault()
            : null;
        return any ?? throw new FileNotFoundException(
            $"The ImageNet ResNet-18 weights were not found (looked for {RelativePath} beside the app and in '{folder}'). " +
            $"Add the NuGet package to your app: <PackageReference Include=\"{Id}\" Version=\"{Version}\" /> and restore; " +
            "or train from scratch (no Pretrained option; --from-scratch on the command line).");
    }
}
