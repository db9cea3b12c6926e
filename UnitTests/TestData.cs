using Microsoft.ML;
using MLToolkit.Datasets.Mnist;

namespace MLToolkit.UnitTests;

/// <summary>Small slices of the real, vendored MNIST, loaded once per test run.</summary>
public static class TestData
{
    static readonly Lazy<(IDataView Train, IDataView Test)> Full = new(() => Mnist.Load(new MLContext(seed: 0)));

    /// <summary>The first <paramref name="rows"/> training images.</summary>
    public static IDataView Train(MLContext ml, int rows) => ml.Data.TakeRows(Full.Value.Train, rows);

    /// <summary>The first <paramref name="rows"/> test images.</summary>
    public static IDataView Test(MLContext ml, int rows) => ml.Data.TakeRows(Full.Value.Test, rows);

    static readonly string ScratchRoot = Path.Combine(Path.GetTempPath(), "mltoolkit-tests");

    /// <summary>
    /// This test run's scratch folder, named for the test process. Tests write models, run folders,
    /// packages and whole builds (a build copies about 1 GB of libtorch); repeated runs on one machine
    /// once filled its disk. The test runner may kill the test host before its exit handler finishes,
    /// so each run also removes the folders of earlier runs whose process is gone.
    /// </summary>
    static readonly Lazy<string> RunFolder = new(() =>
    {
        foreach (var stale in Directory.Exists(ScratchRoot) ? Directory.GetDirectories(ScratchRoot) : [])
            if (!IsLiveRun(Path.GetFileName(stale))) DeleteQuietly(stale);
        var path = Path.Combine(ScratchRoot, $"run-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(path);
        return path;
    });

    /// <summary>Whether a scratch folder named <c>run-PID-…</c> belongs to a test process still running.</summary>
    static bool IsLiveRun(string name)
    {
        var parts = name.Split('-');
        if (parts.Length != 3 || parts[0] != "run" || !int.TryParse(parts[1], out var pid)) return false;
        try { using var process = System.Diagnostics.Process.GetProcessById(pid); return !process.HasExited; }
        catch (ArgumentException) { return false; } // no such process
    }

    /// <summary>A fresh temporary folder inside this run's scratch folder, deleted when the test process exits.</summary>
    public static string TempDirectory()
    {
        var path = Path.Combine(RunFolder.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes <paramref name="path"/> and everything in it; a file still held open only leaves it behind.</summary>
    public static void DeleteQuietly(string path)
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
