using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using MLToolkit.Datasets.Mnist;
using MLToolkit.Trainers.Training;

namespace MLToolkit.Pipelines.Benchmarks;

/// <summary>Training and scoring throughput of one side of <see cref="PeerBenchmark"/> in one round.</summary>
/// <param name="Side">"MLToolkit" or "PyTorch".</param>
/// <param name="Round">1-based round.</param>
/// <param name="TrainImagesPerSecond">Training images/s of the recipe network at batch 100.</param>
/// <param name="ScoreImagesPerSecond">Scoring images/s (toolkit: <c>Transform</c> + <c>Evaluate</c>; peer: batches of 1,000).</param>
public sealed record PeerRound(string Side, int Round, double TrainImagesPerSecond, double ScoreImagesPerSecond);

/// <summary>Medians of the rounds and the toolkit's ratios to the peer.</summary>
/// <param name="Rounds">Every round of both sides, in the order they ran.</param>
/// <param name="ToolkitTrain">Median training images/s of the toolkit.</param>
/// <param name="PeerTrain">Median training images/s of the peer.</param>
/// <param name="ToolkitScore">Median scoring images/s of the toolkit.</param>
/// <param name="PeerScore">Median scoring images/s of the peer.</param>
/// <param name="TrainRatio">ToolkitTrain / PeerTrain.</param>
/// <param name="ScoreRatio">ToolkitScore / PeerScore.</param>
public sealed record PeerComparison(IReadOnlyList<PeerRound> Rounds, double ToolkitTrain, double PeerTrain, double ToolkitScore, double PeerScore,
    double TrainRatio, double ScoreRatio);

/// <summary>
/// <c>bench --peer</c>: the recipe network (Conv-BN-ReLU 32/64/128, Dense 256-BN, Dropout 0.4) trained by the
/// toolkit and by PyTorch on the same cores, alternately, so both meet the same machine load; medians of the
/// rounds and the ratios. The toolkit trains through the public pipeline (<c>Fit</c>) on 10,000 MNIST rows for
/// three epochs at batch 100 with 2 threads and no augmentation, and takes the faster of epochs 2 and 3 (the
/// first carries one-off warm-up); it scores with <c>Transform</c> + <c>Evaluate</c> of the 10,000 test images.
/// The peer is <c>shared/peer/pytorch_cnn.py</c> (Debian's python3-torch; its README says how to run it fairly).
/// </summary>
public static class PeerBenchmark
{
    /// <summary>How to install the peer where it is missing.</summary>
    public const string InstallHint = "apt-get install -y python3-torch libopenblas0-pthread";

    /// <summary>The malloc settings the peer's README asks for: the same ones the toolkit sets for itself.</summary>
    const string PeerMallocTunables = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824";

    /// <summary>Threads of both sides: the machine's two cores.</summary>
    const int Threads = 2;

    /// <summary>The peer script beside the repository (<c>shared/peer/pytorch_cnn.py</c> in this folder or a parent), or null.</summary>
    public static string? FindPeerScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "peer", "pytorch_cnn.py");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>
    /// Checks that <paramref name="python"/> runs and imports torch; returns null when it does, else what is
    /// wrong and how to install the peer.
    /// </summary>
    public static string? CheckPeer(string python, string? script)
    {
        if (script is null || !File.Exists(script))
            return $"The peer script was not found{(script is null ? " (looked for shared/peer/pytorch_cnn.py beside the repository)" : $": '{script}'")}; give it with --peer-script.";
        var (exit, output) = RunProcess(python, ["-c", "import torch; print(torch.__version__)"], TimeSpan.FromMinutes(2));
        if (exit != 0)
            return $"The PyTorch peer needs python3-torch, and '{python} -c \"import torch\"' failed ({output.Trim().Split('\n').LastOrDefault()}). " +
                   $"Install it with: {InstallHint} (or give another interpreter with --python).";
        return null;
    }

    /// <summary>Runs <paramref name="rounds"/> alternating rounds (the peer first); <paramref name="report"/> gets one line per step.</summary>
    /// <exception cref="InvalidOperationException">The peer failed or printed no result line.</exception>
    public static PeerComparison Run(string python, string script, int rounds, Action<string> report)
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = Mnist.Load(ml);
        train = ml.Data.TakeRows(train, 10_000);
        var all = new List<PeerRound>();
        for (int round = 1; round <= rounds; round++)
        {
            // The peer first: a peer that fails stops the bench before the toolkit spends a minute training.
            var peer = Peer(python, script, round);
            all.Add(peer);
            report($"round {round}: PyTorch   training {peer.TrainImagesPerSecond:F0} images/s, scoring {peer.ScoreImagesPerSecond:F0} images/s");
            var toolkit = Toolkit(ml, train, test, round);
            all.Add(toolkit);
            report($"round {round}: MLToolkit training {toolkit.TrainImagesPerSecond:F0} images/s, scoring {toolkit.ScoreImagesPerSecond:F0} images/s");
        }
        double Median(string side, Func<PeerRound, double> value) => Statistics.Median(all.Where(r => r.Side == side).Select(value));
        double toolkitTrain = Median("MLToolkit", r => r.TrainImagesPerSecond), peerTrain = Median("PyTorch", r => r.TrainImagesPerSecond);
        double toolkitScore = Median("MLToolkit", r => r.ScoreImagesPerSecond), peerScore = Median("PyTorch", r => r.ScoreImagesPerSecond);
        var result = new PeerComparison(all, toolkitTrain, peerTrain, toolkitScore, peerScore, toolkitTrain / peerTrain, toolkitScore / peerScore);
        report($"medians of {rounds} round(s):");
        report($"  training  MLToolkit {toolkitTrain,7:F0} images/s   PyTorch {peerTrain,7:F0} images/s   ratio {result.TrainRatio:F2}×");
        report($"  scoring   MLToolkit {toolkitScore,7:F0} images/s   PyTorch {peerScore,7:F0} images/s   ratio {result.ScoreRatio:F2}×");
        return result;
    }

    /// <summary>The toolkit's side of one round: Fit of three epochs, the faster of epochs 2 and 3; Transform + Evaluate.</summary>
    static PeerRound Toolkit(MLContext ml, IDataView train, IDataView test, int round)
    {
        var epochs = new List<EpochSummary>();
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions
        {
            Architecture = Architectures.MnistBestCnn(), Epochs = 3, BatchSize = 100, Threads = Threads, Seed = round,
            Callbacks = { new ProgressCallback(onEpoch: (_, s) => epochs.Add(s)) },
        }));
        var model = pipeline.Fit(train);
        long rows = train.GetRowCount() ?? 10_000;
        double trainRate = epochs.Skip(1).Max(e => rows / e.Seconds);
        var clock = Stopwatch.StartNew();
        ml.MulticlassClassification.Evaluate(model.Transform(test));
        double scoreRate = (test.GetRowCount() ?? 10_000) / clock.Elapsed.TotalSeconds;
        return new PeerRound("MLToolkit", round, trainRate, scoreRate);
    }

    /// <summary>The peer's side of one round: the script's training and batch-1,000 inference images/s.</summary>
    static PeerRound Peer(string python, string script, int round)
    {
        var (exit, output) = RunProcess(python, [script, "--threads", Threads.ToString(), "--no-matmul"], TimeSpan.FromMinutes(20),
            ("GLIBC_TUNABLES", PeerMallocTunables));
        var line = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (exit != 0 || line is null)
            throw new InvalidOperationException($"The peer '{python} {script}' failed (exit code {exit}) without a RESULT line:\n{output.Trim()}");
        // Python's json writes NaN for the matmul figures it skips (--no-matmul); JSON has no NaN, so they become null.
        using var json = JsonDocument.Parse(System.Text.RegularExpressions.Regex.Replace(line["RESULT ".Length..], @"\b(NaN|-?Infinity)\b", "null"));
        double Read(string name) => json.RootElement.TryGetProperty(name, out var value) && value.TryGetDouble(out double number)
            ? number : throw new InvalidOperationException($"The peer's RESULT line has no number '{name}': {line}");
        return new PeerRound("PyTorch", round, Read("train_img_s"), Read("infer_img_s"));
    }

    /// <summary>Runs a process to its end and returns its exit code and its standard output and error together.</summary>
    static (int Exit, string Output) RunProcess(string file, string[] arguments, TimeSpan limit, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception e) { return (-1, $"cannot start '{file}': {e.Message}"); }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"'{file}' did not finish within {limit.TotalMinutes:F0} minutes");
            }
            return (process.ExitCode, output.Result + error.Result);
        }
    }
}
