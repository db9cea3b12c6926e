using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace MLToolkit.UnitTests.Docs;

/// <summary>
/// Runs every code cell of every notebook in Notebooks/, in order, on small data. The .NET
/// Interactive kernel cannot be installed here, so the cells become one .NET file-based program
/// (<c>dotnet run program.cs</c>): <c>#r</c> of the built assemblies becomes a project reference,
/// <c>using</c> lines move to the top, cells that declare types move to the end, and each
/// notebook's statements run in their own block. MLTOOLKIT_QUICK=1 sets the notebooks' quick flag.
/// </summary>
public class NotebookTests
{
    static readonly string Root = ReadmeTests.RepositoryRoot();

    static string[] Cells(string notebook)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(notebook));
        return json.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.GetProperty("cell_type").GetString() == "code")
            .Select(c => string.Concat(c.GetProperty("source").EnumerateArray().Select(l => l.GetString())))
            .ToArray();
    }

    static bool DeclaresTypes(string cell) =>
        cell.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)) is { } first &&
        (first.StartsWith("public class ", StringComparison.Ordinal) || first.StartsWith("class ", StringComparison.Ordinal) ||
         first.StartsWith("public record ", StringComparison.Ordinal) || first.StartsWith("record ", StringComparison.Ordinal));

    static bool IsUsing(string line) =>
        line.StartsWith("using ", StringComparison.Ordinal) && !line.StartsWith("using var ", StringComparison.Ordinal) && line.TrimEnd().EndsWith(';');

    /// <summary>The program for <paramref name="notebooks"/>; each cell is preceded by a comment naming it.</summary>
    public static string Program(IEnumerable<string> notebooks)
    {
        var usings = new SortedSet<string>(StringComparer.Ordinal);
        var body = new StringBuilder();
        var types = new StringBuilder();
        foreach (var notebook in notebooks)
        {
            var name = Path.GetFileName(notebook);
            body.AppendLine($"Console.WriteLine(\"== {name} ==\");").AppendLine("{");
            var cells = Cells(notebook);
            for (int i = 0; i < cells.Length; i++)
            {
                var target = DeclaresTypes(cells[i]) ? types : body;
                target.AppendLine($"// {name}, code cell {i + 1}");
                foreach (var raw in cells[i].Split('\n'))
                {
                    var line = raw.TrimEnd('\r');
                    if (line.StartsWith("#r ", StringComparison.Ordinal)) continue; // the project references below replace them
                    if (IsUsing(line)) usings.Add(line.Trim());
                    else target.AppendLine(line);
                }
            }
            body.AppendLine("}");
        }
        return $"#:project {Path.Combine(Root, "Datasets", "MLToolkit.Datasets.csproj")}\n" +
               $"#:project {Path.Combine(Root, "Trainers", "MLToolkit.Trainers.csproj")}\n" +
               "#:property PlatformTarget=x64\n" +
               // File-based programs default to native AOT, which forbids the code generation ML.NET relies on.
               "#:property PublishAot=false\n" +
               string.Join("\n", usings) + "\n\n" + body + "\n" + types;
    }

    [Fact]
    public async Task Every_notebook_runs_cell_by_cell_on_small_data()
    {
        var notebooks = Directory.GetFiles(Path.Combine(Root, "Notebooks"), "*.ipynb").Order(StringComparer.Ordinal).ToArray();
        Assert.True(notebooks.Length >= 4, "the four notebooks are there");
        foreach (var notebook in notebooks)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(notebook));
            // Outputs are cleared in the repository.
            Assert.All(json.RootElement.GetProperty("cells").EnumerateArray().Where(c => c.GetProperty("cell_type").GetString() == "code"),
                c => Assert.Empty(c.GetProperty("outputs").EnumerateArray()));
        }

        var folder = TestData.TempDirectory();
        try
        {
            // The program's build gets the TorchSharp fix the way the repository's projects do.
            File.WriteAllText(Path.Combine(folder, "Directory.Build.targets"),
                $"<Project><Import Project=\"{Path.Combine(Root, "build", "LibTorchSharpCompat.targets")}\" /></Project>");
            var program = Path.Combine(folder, "notebooks.cs");
            File.WriteAllText(program, Program(notebooks));

            // The build goes into the scratch folder: by default it would stay in the user's run-file
            // cache (about 1 GB with libtorch) under a new name for every checkout.
            var start = new ProcessStartInfo("dotnet", ["run", "-c", "Release", "--artifacts-path", Path.Combine(folder, "artifacts"), program])
            {
                WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            start.Environment["MLTOOLKIT_QUICK"] = "1";
            start.Environment["TMPDIR"] = folder; // the notebooks save models and pictures to the temp folder
            using var process = Process.Start(start)!;
            var errorTask = process.StandardError.ReadToEndAsync();
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await errorTask;
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}\n{error}\n--- program ---\n{File.ReadAllText(program)}");
            foreach (var notebook in notebooks) Assert.Contains($"== {Path.GetFileName(notebook)} ==", output);
            Assert.Contains("Test accuracy", output);
            Assert.Contains("The reductions save", output);
            Assert.Contains("Ensemble test accuracy", output);
            Assert.Contains("Test accuracy on held-out pictures", output);
        }
        finally
        {
            TestData.DeleteQuietly(folder); // the program's build holds a copy of libtorch
        }
    }
}
