using System.IO.Compression;

namespace MLToolkit.UnitTests.Docs;

/// <summary><c>dotnet pack</c> makes the Datasets and Trainers packages with README, licence, XML docs and what they need at run time.</summary>
public class PackagingTests
{
    static string Dotnet(string folder, params string[] arguments) => DotnetCli.Run(folder, null, arguments);

    /// <summary>Packs <paramref name="project"/> as its README says, building it first (a pack of stale binaries would pass unseen otherwise).</summary>
    static string[] Pack(string project)
    {
        var output = TestData.TempDirectory();
        Dotnet(output, "pack", Path.Combine(ReadmeTests.RepositoryRoot(), project), "-c", "Release", "-o", output);
        var package = Assert.Single(Directory.GetFiles(output, "*.nupkg"));
        using var zip = ZipFile.OpenRead(package);
        return zip.Entries.Select(e => e.FullName).ToArray();
    }

    [Fact]
    public void Datasets_package_holds_docs_licence_and_the_vendored_mnist()
    {
        var files = Pack("Datasets");
        Assert.Contains("README.md", files);
        Assert.Contains("LICENSE", files);
        Assert.Contains("lib/net10.0/MLToolkit.Datasets.xml", files);
        Assert.Contains("contentFiles/any/any/data/mnist/train-images-idx3-ubyte.gz", files);
    }

    [Fact]
    public void Trainers_package_carries_the_torchsharp_fix_for_apps_that_reference_it()
    {
        var files = Pack("Trainers");
        Assert.Contains("lib/net10.0/MLToolkit.Trainers.xml", files);
        Assert.Contains("buildTransitive/MLToolkit.Trainers.targets", files);
        Assert.Contains("buildTransitive/MarkGlibcxxVersionWeak.cs", files);
        Assert.Contains("LICENSE", files);
    }

    [Fact]
    public void Trainers_package_leaves_the_choice_of_libtorch_to_the_app_and_pins_ml_net()
    {
        var output = TestData.TempDirectory();
        Dotnet(output, "pack", Path.Combine(ReadmeTests.RepositoryRoot(), "Trainers"), "-c", "Release", "--no-build", "-o", output);
        using var zip = ZipFile.OpenRead(Assert.Single(Directory.GetFiles(output, "*.nupkg")));
        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var text = nuspec.ReadToEnd();
        Assert.Contains("id=\"TorchSharp\"", text);
        Assert.DoesNotContain("TorchSharp-cpu", text);
        Assert.DoesNotContain("libtorch", text);
        // ML.NET's internals are reached by reflection: the package takes the one version they were written against.
        Assert.Matches("<dependency id=\"Microsoft.ML\" version=\"\\[5.0.1\\]\"", text);
    }
}
