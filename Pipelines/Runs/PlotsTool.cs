using System.Diagnostics;

namespace MLToolkit.Pipelines.Runs;

/// <summary>
/// Runs the plotting program (Plots/, copied to the host's plots/ folder) on a run folder's
/// metrics.json. It is a separate process because its ScottPlot needs SkiaSharp 3 while ML.NET
/// ImageAnalytics, in this process, needs SkiaSharp 2.
/// </summary>
public static class PlotsTool
{
    /// <summary>The plotting program next to the host, or null when it is not there.</summary>
    public static string? Location =>
        Path.Combine(AppContext.BaseDirectory, "plots", "MLToolkit.Plots.dll") is var path && File.Exists(path) ? path : null;

    /// <summary>Writes loss, accuracy, learning-rate and confusion-matrix PNGs into <paramref name="run"/>; returns a warning, or null when all went well.</summary>
    public static string? Draw(RunFolder run)
    {
        if (Location is not { } tool) return "plots skipped: the plotting program is not next to the host (build the solution)";
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet, [tool, run.MetricsPath, run.Path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start);
        if (process is null) return "plots skipped: could not start dotnet";
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : $"plots failed: {error.Result.Trim()}";
    }
}
