using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;

namespace MLToolkit.UnitTests.Pipelines;

/// <summary>
/// "Resumes after a kill", tested with real kills: the experiment host runs as a child process and is
/// killed with SIGKILL (<see cref="Process.Kill()"/> on Linux) at a batch in the middle of an epoch;
/// the same command with <c>--resume</c> ends with exactly the weights of a run that was never broken.
/// </summary>
public class KillResumeTests
{
    static readonly string Host = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "MLToolkit.Pipelines.exe" : "MLToolkit.Pipelines");

    static string[] Command(string output) =>
        ["mnist", "--epochs", "3", "--train-rows", "1500", "--test-rows", "300", "--seed", "5", "--keep-checkpoints", "--output", output];

    static Process Start(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Host, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    static string RunToEnd(IEnumerable<string> arguments)
    {
        using var process = Start(arguments);
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}");
        return output;
    }

    static float[] Scores(string run)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.LoadModel(Path.Combine(run, "model.zip"), out _);
        return model.Transform(TestData.Test(ml, 200)).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
    }

    static double Metric(string run, string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))).RootElement.GetProperty(name).GetDouble();

    [Fact]
    public void A_run_killed_mid_epoch_and_during_a_checkpoint_write_resumes_to_the_weights_of_an_unbroken_run()
    {
        var unbrokenRoot = TestData.TempDirectory();
        RunToEnd(Command(unbrokenRoot));
        var unbroken = Assert.Single(Directory.GetDirectories(unbrokenRoot));

        // Killed at a batch of the second epoch, chosen at random (the seed is printed on failure).
        var brokenRoot = TestData.TempDirectory();
        int seed = Environment.TickCount;
        int killAfterLines = new Random(seed).Next(1, 6);
        using (var process = Start(Command(brokenRoot)))
        {
            int seen = 0;
            while (process.StandardOutput.ReadLine() is { } line)
                if (line.StartsWith("epoch 2/3  batch", StringComparison.Ordinal) && ++seen == killAfterLines) break;
            Assert.True(seen == killAfterLines, $"the run ended before epoch 2 was under way (seed {seed})");
            process.Kill(); // SIGKILL: no handler runs, nothing is flushed or cleaned up
            process.WaitForExit();
        }
        var broken = Assert.Single(Directory.GetDirectories(brokenRoot));
        var checkpoints = Path.Combine(broken, "checkpoints");
        var checkpoint = Path.Combine(checkpoints, "model-1.checkpoint");
        Assert.True(File.Exists(checkpoint), $"no checkpoint of epoch 1 (seed {seed})");
        Assert.False(File.Exists(Path.Combine(broken, "model.zip")));

        // What a kill while writing the next checkpoint leaves: a half-written temporary file beside the last good one.
        var bytes = File.ReadAllBytes(checkpoint);
        File.WriteAllBytes(checkpoint + ".tmp", bytes[..(bytes.Length / 2)]);

        var resumedOutput = RunToEnd([.. Command(brokenRoot), "--resume", checkpoints]);
        var resumed = Directory.GetDirectories(brokenRoot).Single(d => d != broken);
        Assert.Contains("Test accuracy", resumedOutput);

        Assert.Equal(Metric(unbroken, "Accuracy"), Metric(resumed, "Accuracy"));
        Assert.Equal(Metric(unbroken, "LogLoss"), Metric(resumed, "LogLoss"));
        Assert.Equal(Scores(unbroken), Scores(resumed)); // bit-identical probabilities: the same final weights
    }
}
