using System.Globalization;
using System.Text;
using MLToolkit.UnitTests.Docs;

namespace MLToolkit.UnitTests.Backend;

/// <summary>
/// An app in a temporary folder outside this repository, as users start: it references the toolkit by
/// project or by package, trains and predicts. Nothing of the repository's build reaches it, so
/// TorchSharp's native wrapper loads only through the toolkit's own run-time fix (TorchNativeLibrary).
/// </summary>
public class OutsideAppTests
{
    const string Program = """
        using Microsoft.ML;
        using Microsoft.ML.Data;
        using MLToolkit;
        using MLToolkit.Datasets.Mnist;
        using MLToolkit.Trainers.Backend;

        var ml = new MLContext(seed: 1);
        var (train, test) = Mnist.Load(ml);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Epochs = 1 }))
            .Fit(ml.Data.TakeRows(train, 1000));
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(ml.Data.TakeRows(test, 200)));
        var engine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(model);
        var first = ml.Data.CreateEnumerable<Digit>(ml.Data.TakeRows(test, 1), reuseRowObject: false).First();
        Console.WriteLine($"accuracy {metrics.MicroAccuracy:F3}");
        Console.WriteLine($"scores {engine.Predict(first).Score.Length}");
        Console.WriteLine($"patched copy: {TorchNativeLibrary.PatchedCopy ?? "none"}");
        Console.WriteLine($"process tuned: {TorchRuntime.ProcessTuned}, nnpack: {TorchRuntime.NnpackEnabled}");

        public sealed class Digit
        {
            [VectorType(1, 28, 28)] public float[] Image { get; set; } = [];
            public uint Label { get; set; }
        }

        public sealed class DigitPrediction
        {
            public float[] Score { get; set; } = [];
        }
        """;

    [Fact]
    public void An_app_outside_the_repository_with_project_references_trains_and_predicts()
    {
        var folder = TestData.TempDirectory();
        var root = ReadmeTests.RepositoryRoot();
        WriteApp(folder, $"""
            <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
            <ProjectReference Include="{Path.Combine(root, "Trainers", "MLToolkit.Trainers.csproj")}" />
            <ProjectReference Include="{Path.Combine(root, "Datasets", "MLToolkit.Datasets.csproj")}" />
            """);
        try
        {
            Dotnet(folder, null, "build", "-c", "Release");
            var app = Path.Combine(folder, "bin", "Release", "net10.0", "app.dll");
            // The app's copy of the wrapper comes straight from the NuGet cache: the run-time fix alone carries it.
            var wrapper = Path.Combine(folder, "bin", "Release", "net10.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            if (OperatingSystem.IsLinux()) Assert.True(File.Exists(wrapper), wrapper);
            RunTwiceReusingTheCache(folder, app);
        }
        finally
        {
            TestData.DeleteQuietly(folder); // the app's build holds a copy of libtorch
        }
    }

    [Fact]
    public void An_app_that_references_only_the_packages_trains_and_predicts_without_the_build_time_patch()
    {
        var folder = TestData.TempDirectory();
        var feed = Directory.CreateDirectory(Path.Combine(folder, "feed")).FullName;
        // A version of its own, so NuGet's cache never hands back an older build of the packages.
        var version = $"0.1.0-test{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        foreach (var project in new[] { "Datasets", "Trainers" })
            Dotnet(folder, null, "pack", Path.Combine(ReadmeTests.RepositoryRoot(), project), "-c", "Release", "--no-build", "-o", feed, $"-p:Version={version}");
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        // The toolkit depends on TorchSharp alone; the app chooses its libtorch, here the CPU one.
        WriteApp(folder, $"""
            <PackageReference Include="MLToolkit.Trainers" Version="{version}" />
            <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
            """);
        try
        {
            // MLToolkitPatchImported=true switches the package's build-time patch off: only the run-time fix is left.
            Dotnet(folder, null, "build", "-c", "Release", "-p:MLToolkitPatchImported=true");
            RunTwiceReusingTheCache(folder, Path.Combine(folder, "bin", "Release", "net10.0", "app.dll"));
        }
        finally
        {
            // Restore unpacked this test's own version into the user's package cache; nothing else uses it.
            var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (var id in new[] { "mltoolkit.datasets", "mltoolkit.trainers" })
                TestData.DeleteQuietly(Path.Combine(cache, id, version));
            TestData.DeleteQuietly(folder);
        }
    }

    /// <summary>
    /// Runs the app twice with a fresh per-user cache: both train and predict; where this system lacks
    /// the C++ runtime version the wrapper asks for, the first run writes the patched copy and the second
    /// loads the same file without writing it again. The second run opts out of the process tuning
    /// (allocator, NNPACK) with the environment variable, and trains to the same accuracy with NNPACK left on.
    /// </summary>
    static void RunTwiceReusingTheCache(string folder, string app)
    {
        var cache = Directory.CreateDirectory(Path.Combine(folder, "xdg-cache")).FullName;
        var first = DotnetWith(folder, new() { ["XDG_CACHE_HOME"] = cache }, app);
        Assert.InRange(Value(first, "accuracy "), 0.3, 1.0);
        Assert.Equal(10, Value(first, "scores "));
        Assert.Contains("process tuned: True, nnpack: False", first);
        var copy = first.Split("patched copy: ")[1].Split('\n')[0].Trim();
        var written = File.Exists(copy) ? File.GetLastWriteTimeUtc(copy) : default;

        var second = DotnetWith(folder, new() { ["XDG_CACHE_HOME"] = cache, ["MLTOOLKIT_PROCESS_TUNING"] = "off" }, app);
        Assert.Contains("process tuned: False, nnpack: True", second);
        Assert.Equal(Value(first, "accuracy "), Value(second, "accuracy "));
        Assert.Equal(copy, second.Split("patched copy: ")[1].Split('\n')[0].Trim());
        if (!SystemLacksTheWrappersCppRuntime())
        {
            Assert.Equal("none", copy);
            return;
        }
        Assert.StartsWith(Path.Combine(cache, "mltoolkit", "libtorchsharp"), copy);
        Assert.Equal(written, File.GetLastWriteTimeUtc(copy)); // loaded again, not written again
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(copy)!)); // no temporary files left beside it
    }

    /// <summary>Debian 12 and Ubuntu 22.04: GCC 12's libstdc++ lacks GLIBCXX_3.4.32, which TorchSharp 0.107's wrapper names.</summary>
    static bool SystemLacksTheWrappersCppRuntime()
    {
        if (!OperatingSystem.IsLinux()) return false;
        var libStdCxx = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }.FirstOrDefault(File.Exists);
        if (libStdCxx is null) return false;
        var text = Encoding.Latin1.GetString(File.ReadAllBytes(libStdCxx));
        return !text.Contains("GLIBCXX_3.4.32\0", StringComparison.Ordinal);
    }

    static void WriteApp(string folder, string references)
    {
        File.WriteAllText(Path.Combine(folder, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable><PlatformTarget>x64</PlatformTarget><NoWarn>NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                {references}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), Program);
    }

    static double Value(string output, string label) =>
        double.Parse(output.Split(label)[1].Split('\n')[0].Trim(), CultureInfo.InvariantCulture);

    static string Dotnet(string folder, string? xdgCache, params string[] arguments) => DotnetCli.Run(folder, xdgCache, arguments);

    static string DotnetWith(string folder, Dictionary<string, string> environment, params string[] arguments) => DotnetCli.RunWith(folder, environment, arguments);
}
