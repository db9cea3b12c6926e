using System.Text.Json;

namespace MLToolkit.Pipelines.Runs;

/// <summary>
/// The folder of one run: <c>&lt;root&gt;/&lt;yyyyMMdd-HHmmss&gt;-&lt;experiment&gt;</c>, never reused, so that
/// nothing from an earlier run is overwritten. Holds metrics.json, model.zip and train.log. It is
/// created on the first write (the first epoch's log line or checkpoint), so a run refused before
/// training starts (a bad option, a bad folder) leaves nothing behind.
/// </summary>
public sealed class RunFolder
{
    RunFolder(string path) => Path = path;

    /// <summary>Full path of the folder.</summary>
    public string Path { get; }

    /// <summary>Where the trained model is saved.</summary>
    public string ModelPath => System.IO.Path.Combine(Path, "model.zip");

    /// <summary>Where the metrics are written.</summary>
    public string MetricsPath => System.IO.Path.Combine(Path, "metrics.json");

    /// <summary>Where training progress is logged, one line per epoch.</summary>
    public string LogPath => System.IO.Path.Combine(Path, "train.log");

    /// <summary>
    /// Names a new run folder under <paramref name="root"/>; it is created by <see cref="EnsureCreated"/> or the
    /// first write. The name is claimed at once, across processes: two runs started in the same second (a
    /// sweep launched from a script) get <c>…-mnist</c> and <c>…-mnist-2</c>, not one folder for both, whose
    /// checkpoints one would delete under the other. The claim is a small file in the temporary folder, so a
    /// run refused before training still leaves nothing under <paramref name="root"/>.
    /// </summary>
    public static RunFolder Plan(string root, string experiment, DateTime now)
    {
        var stem = System.IO.Path.Combine(System.IO.Path.GetFullPath(root), $"{now:yyyyMMdd-HHmmss}-{experiment}");
        for (int n = 1; ; n++)
        {
            var path = n == 1 ? stem : $"{stem}-{n}";
            if (!Directory.Exists(path) && Claim(path)) return new RunFolder(path);
        }
    }

    /// <summary>Atomically claims <paramref name="path"/> for this process: false when another run claimed it first.</summary>
    static bool Claim(string path)
    {
        var claims = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mltoolkit-run-claims")).FullName;
        var name = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(path)))[..32];
        try
        {
            using var claim = new FileStream(System.IO.Path.Combine(claims, name + ".claim"), FileMode.CreateNew, FileAccess.Write);
            claim.Write(System.Text.Encoding.UTF8.GetBytes(path));
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Names and creates a new, empty run folder under <paramref name="root"/>.</summary>
    public static RunFolder Create(string root, string experiment, DateTime now)
    {
        var run = Plan(root, experiment, now);
        run.EnsureCreated();
        return run;
    }

    /// <summary>Creates the folder if it is not there yet; returns its path.</summary>
    public string EnsureCreated()
    {
        Directory.CreateDirectory(Path);
        return Path;
    }

    /// <summary>Appends one line to the training log.</summary>
    public void Log(string line)
    {
        EnsureCreated();
        File.AppendAllText(LogPath, line + Environment.NewLine);
    }

    /// <summary>Writes <paramref name="metrics"/> as indented JSON.</summary>
    public void WriteMetrics(object metrics)
    {
        EnsureCreated();
        File.WriteAllText(MetricsPath, JsonSerializer.Serialize(metrics, metrics.GetType(), new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
    }
}
