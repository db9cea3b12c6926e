using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MLToolkit.UnitTests.Docs;

/// <summary>
/// Every notebook runs cell by cell, in order and unchanged, in the real .NET Interactive kernel (the
/// tool pinned in <c>.config/dotnet-tools.json</c>); every notebook's file-based app
/// (<c>Notebooks/*.cs</c>) runs with <c>dotnet run</c>. MLTOOLKIT_QUICK=1 sets their quick flag, whose
/// results must still mean something (the accuracies are checked).
/// </summary>
public class NotebookTests
{
    static readonly string Root = ReadmeTests.RepositoryRoot();
    static readonly string Folder = Path.Combine(Root, "Notebooks");

    /// <summary>What each notebook prints, and the least accuracy its quick mode must reach (null: no accuracy).</summary>
    public static readonly TheoryData<string, string, double?> Expectations = new()
    {
        { "01-getting-started", @"Test accuracy (\d+\.\d+)", 0.6 },
        { "02-architectures", @"The reductions save (\d+\.\d+)×", null },
        { "03-best-cnn-pipeline", @"Ensemble test accuracy (\d+\.\d+)", 0.9 },
        { "04-your-own-images", @"Test accuracy on held-out pictures: (\d+\.\d+)", 0.8 },
    };

    static string[] Cells(string notebook)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(notebook));
        return json.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.GetProperty("cell_type").GetString() == "code")
            .Select(c => string.Concat(c.GetProperty("source").EnumerateArray().Select(l => l.GetString())))
            .ToArray();
    }

    static Dictionary<string, string> QuickEnvironment(string scratch) => new()
    {
        ["MLTOOLKIT_QUICK"] = "1",
        ["TMPDIR"] = scratch, // the notebooks save models and pictures to the temp folder
    };

    static void AssertResult(string output, string pattern, double? least)
    {
        var match = Regex.Match(output, pattern);
        Assert.True(match.Success, $"'{pattern}' not in the output:\n{output}");
        if (least is { } minimum)
            Assert.True(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) / 100 >= minimum,
                $"quick mode reached {match.Groups[1].Value}%, below {minimum:P0}: not a meaningful result\n{output}");
    }

    [Fact]
    public void Notebooks_are_stored_without_outputs_and_each_has_its_file_based_app()
    {
        var notebooks = Directory.GetFiles(Folder, "*.ipynb");
        Assert.Equal(Expectations.Count, notebooks.Length);
        foreach (var notebook in notebooks)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(notebook));
            Assert.All(json.RootElement.GetProperty("cells").EnumerateArray().Where(c => c.GetProperty("cell_type").GetString() == "code"),
                c => Assert.Empty(c.GetProperty("outputs").EnumerateArray()));
            Assert.True(File.Exists(Path.ChangeExtension(notebook, ".cs")), $"{notebook} has no file-based app beside it");
        }
    }

    [Theory]
    [MemberData(nameof(Expectations))]
    public void Notebook_runs_cell_by_cell_in_the_dotnet_interactive_kernel(string name, string pattern, double? least)
    {
        DotnetCli.Run(Root, null, "tool", "restore");
        var scratch = TestData.TempDirectory();
        var cells = Cells(Path.Combine(Folder, name + ".ipynb"));
        var output = new System.Text.StringBuilder();
        // A kernel of its own per notebook, started where the notebook is, as an editor starts it.
        using (var kernel = InteractiveKernel.Start(Folder, QuickEnvironment(scratch)))
        {
            for (int i = 0; i < cells.Length; i++)
            {
                var result = kernel.Submit(cells[i]);
                Assert.True(result.Succeeded && result.Errors.Count == 0,
                    $"{name}, code cell {i + 1} of {cells.Length}:\n{string.Join("\n", result.Errors)}\n--- cell ---\n{cells[i]}\n--- output ---\n{result.Output}");
                output.Append(result.Output);
            }
        }
        AssertResult(output.ToString(), pattern, least);
        TestData.DeleteQuietly(scratch);
    }

    [Theory]
    [MemberData(nameof(Expectations))]
    public async Task Notebook_as_a_file_based_app_runs(string name, string pattern, double? least)
    {
        var scratch = TestData.TempDirectory();
        try
        {
            // The build goes into the scratch folder: by default it would stay in the user's run-file
            // cache (about 1 GB with libtorch) under a new name for every checkout.
            var start = new System.Diagnostics.ProcessStartInfo("dotnet",
                ["run", "-c", "Release", "--artifacts-path", Path.Combine(scratch, "artifacts"), Path.Combine(Folder, name + ".cs")])
            {
                WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            foreach (var (key, value) in QuickEnvironment(scratch)) start.Environment[key] = value;
            using var process = System.Diagnostics.Process.Start(start)!;
            var errorTask = process.StandardError.ReadToEndAsync();
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await errorTask;
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"dotnet run {name}.cs: exit {process.ExitCode}\n{output}\n{error}");
            AssertResult(output, pattern, least);
        }
        finally
        {
            TestData.DeleteQuietly(scratch); // the app's build holds a copy of libtorch
        }
    }
}
