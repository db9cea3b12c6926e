using System.Diagnostics;
using System.IO.Compression;

namespace MLToolkit.UnitTests.Docs;

/// <summary><c>dotnet pack</c> makes the Datasets and Trainers packages with README, licence, XML docs and what they need at run time.</summary>
public class PackagingTests
{
    /// <summary>Runs dotnet with <paramref name="arguments"/> in <paramref name="folder"/>; returns its output, failing the test on a non-zero exit.</summary>
    static string Dotnet(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)}\n{output}\n{error.Result}");
        return output;
    }

    static string[] Pack(string project)
    {
        var output = TestData.TempDirectory();
        Dotnet(output, "pack", Path.Combine(ReadmeTests.RepositoryRoot(), project), "-c", "Release", "--no-build", "-o", output);
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
    public void An_app_that_references_only_the_packages_trains_on_the_vendored_mnist()
    {
        var folder = TestData.TempDirectory();
        var feed = Directory.CreateDirectory(Path.Combine(folder, "feed")).FullName;
        // A version of its own, so NuGet's cache never hands back an older build of the packages.
        var version = $"0.1.0-test{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        foreach (var project in new[] { "Datasets", "Trainers" })
            Dotnet(folder, "pack", Path.Combine(ReadmeTests.RepositoryRoot(), project), "-c", "Release", "--no-build", "-o", feed, $"-p:Version={version}");

        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(folder, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings>
                <PlatformTarget>x64</PlatformTarget><NoWarn>NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup><PackageReference Include="MLToolkit.Trainers" Version="{version}" /></ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), """
            using Microsoft.ML;
            using MLToolkit;
            using MLToolkit.Datasets.Mnist;
            var ml = new MLContext(seed: 1);
            var (train, test) = Mnist.Load(ml);
            var model = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Epochs = 1 }))
                .Fit(ml.Data.TakeRows(train, 1000));
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(ml.Data.TakeRows(test, 200)));
            Console.WriteLine($"accuracy {metrics.MicroAccuracy:F3}");
            """);
        try
        {
            // Vendored MNIST (content files), the TorchSharp fix (buildTransitive) and the trainer all come from the packages.
            var output = Dotnet(folder, "run", "-c", "Release");
            var accuracy = double.Parse(output.Split("accuracy ")[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(accuracy, 0.3, 1.0);
        }
        finally
        {
            // Restore unpacked this test's own version into the user's package cache; nothing else uses it.
            var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (var id in new[] { "mltoolkit.datasets", "mltoolkit.trainers" })
                TestData.DeleteQuietly(Path.Combine(cache, id, version));
            TestData.DeleteQuietly(folder); // the app's build holds a copy of libtorch
        }
    }
}
