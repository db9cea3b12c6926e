using System.Text.Json;
using Microsoft.ML;
using MLToolkit.Pipelines;
using MLToolkit.Pipelines.Runs;

namespace MLToolkit.UnitTests.Pipelines;

public class HostTests
{
    [Fact]
    public void Main_job_on_a_slice_writes_metrics_and_a_loadable_model()
    {
        var output = TestData.TempDirectory();
        int exit = HostCommand.Create().Parse(
            ["mnist", "--epochs", "2", "--batch-size", "50", "--train-rows", "2000", "--test-rows", "300", "--output", output]).Invoke();
        Assert.Equal(0, exit);

        var run = Assert.Single(Directory.GetDirectories(output));
        Assert.True(File.Exists(Path.Combine(run, "train.log")));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        double accuracy = metrics.RootElement.GetProperty("Accuracy").GetDouble();
        Assert.InRange(accuracy, 0.85, 1.0);
        Assert.Equal(300, metrics.RootElement.GetProperty("TestRows").GetInt64());

        var ml = new MLContext();
        var model = ml.LoadModel(Path.Combine(run, "model.zip"), out _);
        var evaluated = ml.MulticlassClassification.Evaluate(model.Transform(TestData.Test(ml, 300)), "Label");
        Assert.Equal(accuracy, evaluated.MicroAccuracy, 9);
    }

    [Fact]
    public void Unknown_experiment_fails_with_one_clear_line()
    {
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(1, HostCommand.Run("nonsense", new RunSettings(OutputRoot: TestData.TempDirectory()), verbose: false));
        }
        finally
        {
            Console.SetError(original);
        }
        Assert.Contains("Unknown experiment 'nonsense'", error.ToString());
    }

    [Fact]
    public void Run_folders_are_never_reused()
    {
        var root = TestData.TempDirectory();
        var now = new DateTime(2026, 1, 2, 3, 4, 5);
        var first = RunFolder.Create(root, "mnist", now);
        var second = RunFolder.Create(root, "mnist", now);
        Assert.NotEqual(first.Path, second.Path);
    }
}
