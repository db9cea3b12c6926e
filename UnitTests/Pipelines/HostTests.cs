using System.Text.Json;
using Microsoft.ML;
using MLToolkit.Pipelines;
using MLToolkit.Pipelines.Runs;
using MLToolkit.Trainers.Backend;

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
        foreach (var plot in new[] { "loss.png", "accuracy.png", "learning-rate.png", "confusion-matrix.png" })
            Assert.True(new FileInfo(Path.Combine(run, plot)) is { Exists: true, Length: > 5000 }, $"{plot} is written");
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        double accuracy = metrics.RootElement.GetProperty("Accuracy").GetDouble();
        Assert.InRange(accuracy, 0.85, 1.0);
        Assert.Equal(300, metrics.RootElement.GetProperty("TestRows").GetInt64());

        var ml = new MLContext();
        var model = ml.LoadModel(Path.Combine(run, "model.zip"), out _);
        var evaluated = ml.MulticlassClassification.Evaluate(model.Transform(TestData.Test(ml, 300)), "Label");
        Assert.Equal(accuracy, evaluated.MicroAccuracy, 9);

        // The evaluate command reports the same accuracy for the saved model.
        var printed = new StringWriter();
        var original = Console.Out;
        Console.SetOut(printed);
        try
        {
            Assert.Equal(0, HostCommand.Create().Parse(["evaluate", Path.Combine(run, "model.zip"), "--test-rows", "300"]).Invoke());
        }
        finally
        {
            Console.SetOut(original);
        }
        Assert.Contains($"Accuracy: {accuracy * 100:F2}%", printed.ToString());
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

public class HostCommandTests
{
    /// <summary>Runs the host in this process with its output captured.</summary>
    internal static (int Exit, string Output, string Error) Invoke(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var (originalOut, originalError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var parse = HostCommand.Create().Parse(args);
            int exit = parse.Invoke(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
    }

    [Fact]
    public void Summary_prints_the_layer_table_of_a_zoo_architecture()
    {
        var (exit, output, _) = Invoke("summary", "resnet20", "--input", "3x32x32");
        Assert.Equal(0, exit);
        Assert.Contains("Total parameters:     269,722", output);
        Assert.Contains("Output shape", output);
    }

    [Fact]
    public void Summary_of_an_unknown_architecture_is_one_clear_line()
    {
        var (exit, _, error) = Invoke("summary", "resnet7");
        Assert.Equal(1, exit);
        Assert.Contains("Unknown architecture 'resnet7'", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Mnist_fast_on_a_slice_trains_its_short_recipe()
    {
        var output = TestData.TempDirectory();
        var (exit, _, error) = Invoke("mnist-fast", "--train-rows", "2000", "--test-rows", "300", "--output", output);
        Assert.True(exit == 0, error);
        var run = Assert.Single(Directory.GetDirectories(output));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        // Four epochs of 2,000 images (63 steps): well above chance (10%), far from the full run's 99.5%.
        Assert.InRange(metrics.RootElement.GetProperty("Accuracy").GetDouble(), 0.8, 1.0);
        Assert.Equal(4, metrics.RootElement.GetProperty("Epochs")[0].GetArrayLength());
    }

    [Fact]
    public void List_shows_experiments_and_architectures()
    {
        var (exit, output, _) = Invoke("list");
        Assert.Equal(0, exit);
        Assert.Contains("mnist-best", output);
        Assert.Contains("mnist-fast", output);
        Assert.Contains("cifar10", output);
        Assert.Contains("densenet121", output);
    }

    [Fact]
    public void Fashion_runs_with_a_zoo_architecture()
    {
        var fashion = MLToolkit.Pipelines.Experiments.SharedData.Folder("fashion-mnist");
        var output = TestData.TempDirectory();
        var (exit, text, error) = Invoke("fashion", "--arch", "resnet20", "--epochs", "2", "--batch-size", "32", "--train-rows", "2000", "--test-rows", "200",
            "--data", fashion, "--output", output);
        Assert.True(exit == 0, error);
        Assert.Contains("Test accuracy", text);
        Assert.Contains("Test accuracy of the single view", text); // fashion evaluates with test-time augmentation
        var run = Assert.Single(Directory.GetDirectories(output));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        Assert.InRange(metrics.RootElement.GetProperty("Accuracy").GetDouble(), 0.4, 1.0);
        // The model is saved with its test-time views and loads again.
        var (evaluated, scores, evaluateError) = Invoke("evaluate", Path.Combine(run, "model.zip"), "--dataset", "fashion", "--data", fashion, "--test-rows", "100");
        Assert.True(evaluated == 0, evaluateError);
        Assert.Contains("Accuracy:", scores);
        // The model file records its dataset: without --dataset and --data it scores the same Fashion-MNIST
        // images (the same 784 pixels as MNIST, which it would otherwise score without a word).
        var (recorded, recordedScores, recordedError) = Invoke("evaluate", Path.Combine(run, "model.zip"), "--test-rows", "100");
        Assert.True(recorded == 0, recordedError);
        Assert.Equal(AccuracyLine(scores), AccuracyLine(recordedScores));
        var (wrong, _, wrongError) = Invoke("evaluate", Path.Combine(run, "model.zip"), "--dataset", "mnist", "--test-rows", "100");
        Assert.Equal(1, wrong);
        Assert.Contains("This model was trained on fashion, not mnist", wrongError);
    }

    static string AccuracyLine(string output) => output.Split('\n').Single(line => line.StartsWith("Accuracy:", StringComparison.Ordinal));

    [Fact]
    public void Images_experiment_trains_on_a_folder_of_class_subfolders()
    {
        var folder = MLToolkit.UnitTests.Datasets.ImageFolderTests.DrawShapes(perClass: 20);
        var output = TestData.TempDirectory();
        var (exit, text, error) = Invoke("images", "--data", folder, "--image-size", "28", "--channels", "1", "--arch", "lenet5",
            "--epochs", "2", "--output", output);
        Assert.True(exit == 0, error);
        Assert.Contains("Classes: circle, cross, square;", text);
        Assert.Contains("2 file(s) skipped", text);
        Assert.Contains("notes.png", error);
        var model = Path.Combine(Assert.Single(Directory.GetDirectories(output)), "model.zip");
        Assert.True(File.Exists(model));

        // On the root it was trained on, evaluate scores the 20% its training held out (4 of 20 per class), not every image.
        var (evaluated, scores, evaluateError) = Invoke("evaluate", model, "--data", folder);
        Assert.True(evaluated == 0, evaluateError);
        Assert.Contains("the folder the model was trained on", scores);
        Assert.Contains("Scored 12 images of 3 classes (", scores);
        // A model that takes image paths is refused a pixel dataset, with a message saying what it takes.
        var (wrong, _, wrongError) = Invoke("evaluate", model, "--dataset", "mnist");
        Assert.Equal(1, wrong);
        Assert.Contains("This model was trained on images, not mnist", wrongError);
    }

    [Fact]
    public void Runs_planned_in_the_same_second_get_folders_of_their_own()
    {
        // Two host processes started in the same second planned one folder, and the first to finish deleted the
        // other's checkpoints under it. Each plan now claims its name.
        var root = TestData.TempDirectory();
        var now = DateTime.Now;
        var first = MLToolkit.Pipelines.Runs.RunFolder.Plan(root, "mnist", now);
        var second = MLToolkit.Pipelines.Runs.RunFolder.Plan(root, "mnist", now);
        Assert.NotEqual(first.Path, second.Path);
        Assert.EndsWith("-mnist-2", second.Path);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root)); // nothing is created before training writes
    }

    [Fact]
    public void Detect_mnist_runs_draws_its_scenes_and_evaluates_its_model()
    {
        var output = TestData.TempDirectory();
        var (exit, text, error) = Invoke("detect-mnist", "--epochs", "1", "--train-rows", "200", "--test-rows", "20", "--output", output);
        Assert.True(exit == 0, error);
        Assert.Contains("Test VOC AP50:", text);
        Assert.Contains("VOC AP50 per class: 0 ", text);
        var run = Assert.Single(Directory.GetDirectories(output));
        Assert.True(new FileInfo(Path.Combine(run, "scenes.png")).Length > 0);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        var detection = metrics.RootElement.GetProperty("Detection");
        Assert.InRange(detection.GetProperty("VocMeanAP50").GetDouble(), 0.0, 1.0);
        Assert.Equal(10, detection.GetProperty("PerClassVocAP50").GetArrayLength());
        var (evaluated, scores, evaluateError) = Invoke("evaluate", Path.Combine(run, "model.zip"), "--test-rows", "20");
        Assert.True(evaluated == 0, evaluateError);
        Assert.Contains("Scoring the test scenes of the run (seed 1, 1000 scenes of 128×128)", scores);
        Assert.Contains($"VOC AP50: {detection.GetProperty("VocMeanAP50").GetDouble():F4}", scores);
    }

    [Fact]
    public void Segment_mnist_runs_draws_its_scenes_and_evaluates_its_model()
    {
        var output = TestData.TempDirectory();
        var (exit, text, error) = Invoke("segment-mnist", "--epochs", "1", "--train-rows", "300", "--test-rows", "40", "--output", output);
        Assert.True(exit == 0, error);
        Assert.Contains("Test mean IoU:", text);
        Assert.Contains("IoU per class: background", text);
        var run = Assert.Single(Directory.GetDirectories(output));
        Assert.True(new FileInfo(Path.Combine(run, "scenes.png")).Length > 0);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        var segmentation = metrics.RootElement.GetProperty("Segmentation");
        Assert.InRange(segmentation.GetProperty("MeanIoU").GetDouble(), 0.0, 1.0);
        Assert.Equal(11, segmentation.GetProperty("PerClassIoU").GetArrayLength());

        // evaluate regenerates the run's test scenes from the settings recorded in the model.
        var (evaluated, scores, evaluateError) = Invoke("evaluate", Path.Combine(run, "model.zip"), "--test-rows", "40");
        Assert.True(evaluated == 0, evaluateError);
        Assert.Contains("Scoring the test scenes of the run (seed 1, 40 scenes of 64×64)", scores); // --test-rows generated 40
        var meanIoU = segmentation.GetProperty("MeanIoU").GetDouble();
        Assert.Contains($"Mean IoU: {meanIoU:F4}", scores);
    }

    [Fact]
    public void A_run_checkpoints_every_epoch_and_resume_continues_it()
    {
        var output = TestData.TempDirectory();
        string[] common = ["mnist", "--epochs", "1", "--train-rows", "1000", "--test-rows", "200", "--output", output];
        var (kept, keptText, keptError) = Invoke([.. common, "--keep-checkpoints"]);
        Assert.True(kept == 0, keptError);
        // Redirected output gets whole table lines: the header cells are not wrapped at 80 columns.
        Assert.Contains("val. accuracy", keptText);
        var first = Assert.Single(Directory.GetDirectories(output));
        var checkpoints = Path.Combine(first, "checkpoints");
        Assert.NotEmpty(Directory.GetFiles(checkpoints));

        // The same command with --resume finds the finished epoch and does not train it again.
        var (exit, text, error) = Invoke([.. common, "--resume", checkpoints]);
        Assert.True(exit == 0, error);
        var second = Directory.GetDirectories(output).Single(d => d != first);
        JsonElement Metrics(string run) => JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))).RootElement;
        Assert.Equal(Metrics(first).GetProperty("Accuracy").GetDouble(), Metrics(second).GetProperty("Accuracy").GetDouble());
        // The epoch's record (its measured seconds included) comes back from the checkpoint, not from a second training.
        double Seconds(string run) => Metrics(run).GetProperty("Epochs")[0][0].GetProperty("Seconds").GetDouble();
        Assert.Equal(Seconds(first), Seconds(second));
    }

    [Fact]
    public void A_finished_run_removes_its_checkpoints_unless_asked_to_keep_them()
    {
        var output = TestData.TempDirectory();
        var (exit, text, error) = Invoke("mnist", "--epochs", "1", "--train-rows", "300", "--test-rows", "100", "--output", output);
        Assert.True(exit == 0, error);
        var run = Assert.Single(Directory.GetDirectories(output));
        Assert.False(Directory.Exists(Path.Combine(run, "checkpoints")));
        Assert.True(File.Exists(Path.Combine(run, "model.zip")));
        Assert.Contains("Checkpoints removed", text);
    }

    [Fact]
    public void Precision_chooses_the_training_arithmetic()
    {
        (double LogLoss, string Text) Run(string precision)
        {
            var output = TestData.TempDirectory();
            var (exit, text, error) = Invoke("mnist", "--epochs", "1", "--train-rows", "300", "--test-rows", "100", "--precision", precision, "--output", output);
            Assert.True(exit == 0, error);
            var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(Assert.Single(Directory.GetDirectories(output)), "metrics.json"))).RootElement;
            return (metrics.GetProperty("LogLoss").GetDouble(), text);
        }
        var (full, mixed) = (Run("float32"), Run("mixed"));
        if (BFloat16Speed.SlowReason("cpu") is { } slow)
        {
            // bfloat16 would be many times slower here: the run trains in float32 and says why.
            Assert.Equal(full.LogLoss, mixed.LogLoss);
            Assert.Contains($"Mixed precision: training in float32 instead, because {slow}.", mixed.Text);
        }
        else
        {
            // The same seed and data: only the arithmetic differs, so the trained models do.
            Assert.NotEqual(full.LogLoss, mixed.LogLoss);
            Assert.DoesNotContain("Mixed precision: training in float32", mixed.Text);
        }
    }

    [Theory]
    [InlineData("--epochs must be ≥ 1", "mnist", "--epochs", "0")]
    [InlineData("--epochs must be a whole number; 'abc' is not", "mnist", "--epochs", "abc")]
    [InlineData("--train-rows must be ≥ 1", "mnist", "--train-rows", "0")]
    [InlineData("--batch-size must be ≥ 1", "mnist", "--batch-size", "-5")]
    [InlineData("--learning-rate must be > 0", "mnist", "--learning-rate", "0")]
    [InlineData("--image-size must be ≥ 8", "images", "--image-size", "2")]
    [InlineData("--channels must be 1 (grey) or 3 (RGB)", "images", "--channels", "2")]
    [InlineData("does not exist", "images", "--data", "/nonexistent/photos")]
    [InlineData("--precision must be 'mixed' or 'float32'; it is 'half'", "mnist", "--precision", "half")]
    public void A_bad_option_is_refused_in_the_users_words_and_leaves_no_run_folder(string message, params string[] args)
    {
        var output = Path.Combine(TestData.TempDirectory(), "runs");
        var (exit, text, error) = Invoke([.. args, "--output", output]);
        Assert.Equal(1, exit);
        Assert.Contains(message, error + text);
        Assert.DoesNotContain("System.", error + text); // no .NET type names
        Assert.DoesNotContain("CnnOptions", error + text);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any(), "a refused run left a folder");
    }

    [Fact]
    public void Data_that_is_a_file_is_refused()
    {
        var file = Path.Combine(TestData.TempDirectory(), "photo.jpg");
        File.WriteAllText(file, "not a folder");
        var (exit, text, error) = Invoke("images", "--data", file, "--output", TestData.TempDirectory());
        Assert.Equal(1, exit);
        Assert.Contains($"--data must be a folder; '{file}' is a file", error + text);
    }

    [Fact]
    public void Resume_from_a_wrong_folder_is_refused_and_writes_nothing()
    {
        var output = Path.Combine(TestData.TempDirectory(), "runs");
        var missing = Path.Combine(TestData.TempDirectory(), "typo", "checkpoints");
        var (exit, _, error) = Invoke("mnist", "--epochs", "1", "--train-rows", "100", "--resume", missing, "--output", output);
        Assert.Equal(1, exit);
        Assert.Contains("--resume folder", error);
        Assert.Contains("does not exist", error);
        Assert.False(Directory.Exists(missing));
        Assert.False(Directory.Exists(output));

        // An existing folder without checkpoints, and the checkpoints of another experiment, are refused too.
        var empty = Directory.CreateDirectory(Path.Combine(TestData.TempDirectory(), "20260101-000000-mnist", "checkpoints")).FullName;
        Assert.Contains("holds no checkpoints", Invoke("mnist", "--resume", empty, "--output", output).Error);
        var other = Directory.CreateDirectory(Path.Combine(TestData.TempDirectory(), "20260101-000000-fashion", "checkpoints")).FullName;
        File.WriteAllText(Path.Combine(other, "model-1.checkpoint"), "");
        Assert.Contains("is not the checkpoints folder of a 'mnist' run", Invoke("mnist", "--resume", other, "--output", output).Error);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Cifar10_without_data_says_where_to_get_it()
    {
        var (exit, _, error) = Invoke("cifar10", "--data", Path.Combine(TestData.TempDirectory(), "none"), "--output", TestData.TempDirectory());
        Assert.Equal(1, exit);
        Assert.Contains("Data folder not found", error);
    }
}
