namespace MLToolkit.UnitTests.Docs;

public class ReadmeTests
{
    /// <summary>The folder holding MLToolkit.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MLToolkit.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("MLToolkit.sln not found above the test assembly.");
    }

    [Fact]
    public void Readme_starts_with_the_two_commands()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md")).Where(l => l.Trim().Length > 0).ToArray();
        var commands = lines.SkipWhile(l => !l.StartsWith("```", StringComparison.Ordinal)).Skip(1).Take(2).ToArray();
        Assert.Equal(["dotnet run -c Release --project Pipelines", "dotnet test -c Release"], commands);
    }

    [Fact]
    public void Readme_example_is_the_compiled_sample()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        var sample = File.ReadAllText(Path.Combine(root, "Samples", "GettingStarted", "Program.cs")).ReplaceLineEndings("\n").TrimEnd();
        Assert.Contains("```csharp\n" + sample + "\n```", readme);
    }

    [Fact]
    public void Ci_runs_the_readme_test_command()
    {
        var ci = File.ReadAllText(Path.Combine(RepositoryRoot(), ".ci", "run"));
        Assert.Contains("\ndotnet test -c Release 2>&1", ci);
    }
}
