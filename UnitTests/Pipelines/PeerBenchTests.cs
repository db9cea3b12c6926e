using System.Text.Json;

namespace MLToolkit.UnitTests.Pipelines;

/// <summary><c>bench --peer</c> from the command line: with a stand-in peer, and on a machine without torch.</summary>
public class PeerBenchTests
{
    [Fact]
    public void Without_torch_the_peer_bench_says_how_to_install_it_and_writes_nothing()
    {
        var output = TestData.TempDirectory();
        var (exit, _, error) = HostCommandTests.Invoke("bench", "--peer", "--python", Path.Combine(output, "no-python-here"), "--output", output);
        Assert.Equal(1, exit);
        Assert.Contains("python3-torch", error);
        Assert.Contains("apt-get install -y python3-torch libopenblas0-pthread", error);
        Assert.Empty(Directory.GetFileSystemEntries(output));
    }

    [Fact]
    public void A_missing_peer_script_is_named()
    {
        var output = TestData.TempDirectory();
        var script = Path.Combine(output, "missing.py");
        var (exit, _, error) = HostCommandTests.Invoke("bench", "--peer", "--peer-script", script, "--output", output);
        Assert.Equal(1, exit);
        Assert.Contains(script, error);
        Assert.Empty(Directory.GetFileSystemEntries(output));
    }

    /// <summary>
    /// A stand-in interpreter answers the torch check and prints the peer's RESULT line with known figures: the
    /// toolkit's side really trains (one round), and the ratios are the toolkit's medians over the peer's.
    /// </summary>
    [Fact]
    public void The_peer_bench_alternates_both_sides_and_reports_the_ratios()
    {
        var output = TestData.TempDirectory();
        var python = Path.Combine(output, "fake-python");
        var log = Path.Combine(output, "calls.txt");
        File.WriteAllText(python, $$"""
            #!/bin/sh
            echo "$@ GLIBC_TUNABLES=$GLIBC_TUNABLES" >> '{{log}}'
            if [ "$1" = "-c" ]; then echo 1.13.1; exit 0; fi
            echo 'PyTorch 1.13.1 threads 2'
            echo 'RESULT {"impl": "pytorch", "train_img_s": 500.0, "infer_img_s": 1000.0, "matmul2048_gflop_s_best": NaN}'
            """.Replace("\r", ""));
        var script = StandIns(python, output);
        var runs = Path.Combine(output, "runs");

        var (exit, stdout, error) = HostCommandTests.Invoke("bench", "--peer", "--python", python, "--peer-script", script, "--rounds", "1", "--output", runs);

        Assert.True(exit == 0, error);
        var calls = File.ReadAllLines(log);
        Assert.Equal(2, calls.Length);
        Assert.StartsWith($"{script} --threads 2 --no-matmul GLIBC_TUNABLES=glibc.malloc.mmap_threshold=", calls[1]);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory.GetDirectories(runs).Single(), "metrics.json")));
        var root = metrics.RootElement;
        double toolkitTrain = root.GetProperty("ToolkitTrain").GetDouble(), toolkitScore = root.GetProperty("ToolkitScore").GetDouble();
        Assert.True(toolkitTrain > 0 && toolkitScore > 0);
        Assert.Equal(500.0, root.GetProperty("PeerTrain").GetDouble());
        Assert.Equal(toolkitTrain / 500.0, root.GetProperty("TrainRatio").GetDouble(), 9);
        Assert.Equal(toolkitScore / 1000.0, root.GetProperty("ScoreRatio").GetDouble(), 9);
        Assert.Equal(["PyTorch", "MLToolkit"], root.GetProperty("Rounds").EnumerateArray().Select(r => r.GetProperty("Side").GetString()));
        Assert.Contains($"ratio {toolkitTrain / 500.0:F2}×", stdout);
    }

    [Fact]
    public void A_peer_that_fails_is_reported_with_its_output()
    {
        var output = TestData.TempDirectory();
        var python = Path.Combine(output, "fake-python");
        File.WriteAllText(python, "#!/bin/sh\nif [ \"$1\" = \"-c\" ]; then echo 1.13.1; exit 0; fi\necho 'Illegal instruction' >&2\nexit 132\n");
        var script = StandIns(python, output);
        var runs = Path.Combine(output, "runs");
        var (exit, _, error) = HostCommandTests.Invoke("bench", "--peer", "--python", python, "--peer-script", script, "--rounds", "1", "--output", runs);
        Assert.Equal(1, exit);
        Assert.False(Directory.Exists(runs) && Directory.EnumerateFileSystemEntries(runs).Any(), "a failed bench leaves no run folder");
        Assert.Contains("exit code 132", error);
        Assert.Contains("Illegal instruction", error);
    }

    /// <summary>Makes <paramref name="python"/> executable and writes a stand-in peer script; returns its path.</summary>
    static string StandIns(string python, string folder)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(python, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var script = Path.Combine(folder, "peer.py");
        File.WriteAllText(script, "# stand-in");
        return script;
    }
}
