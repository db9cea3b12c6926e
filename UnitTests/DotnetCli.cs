using System.Diagnostics;

namespace MLToolkit.UnitTests;

/// <summary>The <c>dotnet</c> command line, as a user runs it (build, pack, run an app).</summary>
public static class DotnetCli
{
    /// <summary>
    /// Runs dotnet with <paramref name="arguments"/> in <paramref name="folder"/>, with XDG_CACHE_HOME set
    /// where <paramref name="xdgCache"/> is given; returns its output, failing the test on a non-zero exit.
    /// </summary>
    public static string Run(string folder, string? xdgCache, params string[] arguments) =>
        RunWith(folder, xdgCache is null ? [] : new Dictionary<string, string> { ["XDG_CACHE_HOME"] = xdgCache }, arguments);

    /// <summary>Runs dotnet with <paramref name="arguments"/> in <paramref name="folder"/> with extra <paramref name="environment"/> variables.</summary>
    public static string RunWith(string folder, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} (exit {process.ExitCode})\n{output}\n{error.Result}");
        return output;
    }
}
