using Microsoft.ML;
using MLToolkit.UnitTests.Docs;
using MLToolkit.UnitTests.Pipelines;

namespace MLToolkit.UnitTests.Samples;

/// <summary>
/// The OnnxDigits sample, published as a user publishes it, holds no TorchSharp or libtorch file and scores the
/// MNIST test images with the accuracy of the TorchSharp model it was exported from.
/// </summary>
public class OnnxDigitsTests
{
    /// <summary>The sample published once for the tests (dotnet test builds the test project's references only, not the samples).</summary>
    static readonly Lazy<string> Published = new(() =>
    {
        var folder = TestData.TempDirectory();
        DotnetCli.Run(folder, null, "publish", Path.Combine(ReadmeTests.RepositoryRoot(), "Samples", "OnnxDigits"), "-c", "Release", "-o", folder);
        return folder;
    });

    [Fact]
    public void Published_sample_has_no_libtorch_and_scores_mnist_as_the_torchsharp_model()
    {
        // A model trained by the host and exported by it.
        var output = TestData.TempDirectory();
        var (exit, _, error) = HostCommandTests.Invoke("mnist", "--epochs", "1", "--train-rows", "2000", "--test-rows", "100", "--output", output);
        Assert.True(exit == 0, error);
        string model = Path.Combine(Assert.Single(Directory.GetDirectories(output)), "model.zip");
        string onnx = Path.Combine(TestData.TempDirectory(), "digits.onnx");
        (exit, _, error) = HostCommandTests.Invoke("export", model, "--onnx", onnx);
        Assert.True(exit == 0, error);

        var published = Published.Value;
        var files = Directory.GetFiles(published, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToArray();
        Assert.DoesNotContain(files, f => f!.Contains("torch", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(files, f => f!.StartsWith("libonnxruntime", StringComparison.Ordinal) || f == "onnxruntime.dll");

        const int rows = 1000;
        string text = DotnetCli.Run(published, null, Path.Combine(published, "OnnxDigits.dll"), "--onnx", onnx, "--rows", rows.ToString());
        var line = text.Split('\n').Single(l => l.StartsWith("Accuracy:", StringComparison.Ordinal));

        var ml = new MLContext();
        var test = ml.Data.TakeRows(MLToolkit.Datasets.Mnist.Mnist.Load(ml).Test, rows);
        var scored = ml.LoadModel(model, out _).ForPrediction().Transform(test);
        var predicted = scored.GetColumn<uint>("PredictedLabel").ToArray(); // the host's models map keys back to the digits
        var truth = test.GetColumn<uint>("Label").ToArray();
        int correct = predicted.Zip(truth, (p, t) => p == t).Count(same => same);
        Assert.Contains($"({correct} of {rows} MNIST test images)", line);
        Assert.True(correct > rows / 2, $"{line}: the short training run should label most digits");
    }

    [Fact]
    public void Sample_refuses_a_missing_file_and_bad_options_with_one_line()
    {
        var sample = Path.Combine(Published.Value, "OnnxDigits.dll");
        var folder = TestData.TempDirectory();
        var (exit, text) = Start(sample, "--onnx", Path.Combine(folder, "none.onnx"));
        Assert.Equal(1, exit);
        Assert.Contains("none.onnx' not found", text);
        (exit, text) = Start(sample, "--onnx", Path.Combine(folder, "none.onnx"), "--rows", "many");
        Assert.Equal(1, exit);
        Assert.Contains("--rows must be a positive whole number; it is 'many'", text);
        Assert.DoesNotContain("Unhandled", text);
    }

    static (int Exit, string Text) Start(string dll, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [dll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error + output.Result);
    }
}
