using System.CommandLine;
using MLToolkit.Pipelines.Benchmarks;
using MLToolkit.Pipelines.Runs;
using MLToolkit.Trainers.Backend;

namespace MLToolkit.Pipelines;

/// <summary>
/// <c>bench</c>: speed of the recipe network on this machine (training and scoring images/s, <c>PredictionEngine</c>
/// latency); <c>--onnx</c> compares TorchSharp with ONNX Runtime, <c>--peer</c> compares training and scoring with
/// the PyTorch peer, <c>--members</c> times ensemble members side by side against one after another. Each writes
/// its figures to a run folder's metrics.json.
/// </summary>
public static class BenchCommand
{
    /// <summary>Builds the command; <paramref name="guarded"/> runs its action and turns an error into one line and exit code 1.</summary>
    public static Command Create(Func<Func<int>, ParseResult, int> guarded)
    {
        var output = new Option<string>("--output") { Description = "Folder for run folders", DefaultValueFactory = _ => "runs" };
        var onnx = new Option<bool>("--onnx") { Description = "Compare scoring by TorchSharp with the exported model on ONNX Runtime (batch, Transform, PredictionEngine latency)" };
        var model = new Option<string?>("--model") { Description = "With --onnx: a saved MNIST model.zip to compare (default: train the recipe network for one epoch)" };
        var peer = new Option<bool>("--peer") { Description = $"Compare training and scoring images/s with the PyTorch peer (shared/peer/pytorch_cnn.py; needs {PeerBenchmark.InstallHint})" };
        var python = new Option<string>("--python") { Description = "With --peer: the Python that has torch", DefaultValueFactory = _ => "/usr/bin/python3" };
        var script = new Option<string?>("--peer-script") { Description = "With --peer: the peer script (default: shared/peer/pytorch_cnn.py beside the repository)" };
        var members = new Option<bool>("--members") { Description = "Time an ensemble of mnist-best members (one per core, one epoch) trained side by side against one after another" };
        var rows = CommandLineValues.WholeNumber("--rows", $"With --members: MNIST training rows of each member's epoch (default {DefaultMemberRows:N0})", minimum: 100);
        var rounds = CommandLineValues.WholeNumber("--rounds", "With --peer or --members: alternating rounds of each side (default 3; medians are reported)", minimum: 1);
        var command = new Command("bench", "Speed benchmark of the recipe network: training and inference images/s, PredictionEngine latency")
        {
            output, onnx, model, peer, python, script, members, rows, rounds,
        };
        command.SetAction(parse =>
        {
            string folder = parse.GetValue(output)!;
            if (parse.GetValue(peer))
                return guarded(() => Peer(folder, parse.GetValue(python)!, parse.GetValue(script), parse.GetValue(rounds) ?? 3), parse);
            if (parse.GetValue(members))
                return guarded(() => Members(folder, parse.GetValue(rows) ?? DefaultMemberRows, parse.GetValue(rounds) ?? 3), parse);
            if (parse.GetValue(onnx))
                return guarded(() => Onnx(folder, parse.GetValue(model)), parse);
            return Speed(folder);
        });
        return command;
    }

    /// <summary>The plain benchmark: training, batch and row-by-row scoring, PredictionEngine latency.</summary>
    public static int Speed(string outputRoot)
    {
        var run = RunFolder.Create(outputRoot, "bench", DateTime.Now);
        Console.WriteLine($"Speed benchmark of the recipe network; run folder: {run.Path}");
        Console.WriteLine(Backend());
        run.WriteMetrics(SpeedBenchmark.Run(Console.WriteLine));
        return 0;
    }

    static int Onnx(string outputRoot, string? model)
    {
        var run = RunFolder.Create(outputRoot, "bench-onnx", DateTime.Now);
        Console.WriteLine($"Scoring speed, TorchSharp against ONNX Runtime; run folder: {run.Path}");
        Console.WriteLine(Backend());
        run.WriteMetrics(OnnxSpeedBenchmark.Run(model, run.Path, Console.WriteLine));
        return 0;
    }

    /// <summary>Rows of <c>bench --members</c>: enough that each fit takes tens of seconds, so start-up costs are small beside it.</summary>
    const int DefaultMemberRows = 40_000;

    static int Members(string outputRoot, int rows, int rounds)
    {
        var run = RunFolder.Plan(outputRoot, "bench-members", DateTime.Now);
        Console.WriteLine($"Ensemble members side by side against one after another; {rounds} alternating round(s); run folder: {run.Path}");
        Console.WriteLine(Backend());
        run.WriteMetrics(MembersBenchmark.Run(rows, rounds, Console.WriteLine));
        return 0;
    }

    static int Peer(string outputRoot, string python, string? script, int rounds)
    {
        script ??= PeerBenchmark.FindPeerScript();
        // Checked before anything is created: a machine without the peer gets the way to install it, and no run folder.
        if (PeerBenchmark.CheckPeer(python, script) is { } problem)
        {
            Console.Error.WriteLine(problem);
            return 1;
        }
        // Planned, not created: a peer that fails leaves no half-written run folder.
        var run = RunFolder.Plan(outputRoot, "bench-peer", DateTime.Now);
        Console.WriteLine($"Training and scoring speed against the PyTorch peer ({script}); {rounds} alternating round(s); run folder: {run.Path}");
        Console.WriteLine(Backend());
        run.WriteMetrics(PeerBenchmark.Run(python, script!, rounds, Console.WriteLine));
        return 0;
    }

    /// <summary>
    /// What the figures depend on besides the code: the same kind of VM runs with oneDNN on some days and off on others
    /// (where it hides its CPU caches), and training speed then differs by about half.
    /// </summary>
    static string Backend()
    {
        TorchRuntime.EnsureInitialized();
        var cores = Environment.ProcessorCount;
        string onednn = !TorchRuntime.MkldnnEnabled ? "off (this machine hides its CPU caches)"
            : TorchRuntime.OneDnnCacheSizesSupplied ? "on (cache sizes supplied: this machine hides its own)" : "on";
        string bf16 = BFloat16Speed.IsFast("cpu") ? "fast" : "slow (mixed precision trains in float32)";
        return $"backend: {cores} cores, oneDNN {onednn}, bfloat16 {bf16}";
    }
}
