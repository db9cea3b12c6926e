using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using MLToolkit.Pipelines;
using MLToolkit.UnitTests.Datasets;

namespace MLToolkit.UnitTests.Pipelines;

/// <summary>
/// Your own photos, the way a user meets them: real JPEGs in train/ and val/ folders, the images
/// experiment from the command line with the ImageNet start, then the saved model scoring JPEG paths
/// with predict, with a PredictionEngine that has only an image path, and in a new process.
/// </summary>
public class YourOwnPhotosTests
{
    static readonly string[] Classes = ["daisy", "roses", "sunflowers"];

    /// <summary>A train/ and val/ root of real flower photos: <paramref name="train"/> and <paramref name="val"/> per class.</summary>
    static string PhotoRoot(int train = 12, int val = 4)
    {
        var flowers = MnistTests.FindShared("flowers-small") ?? throw new DirectoryNotFoundException("shared/datasets/flowers-small was not found.");
        var root = TestData.TempDirectory();
        foreach (var (split, count) in new[] { ("train", train), ("val", val) })
            foreach (var name in Classes)
            {
                var target = Directory.CreateDirectory(Path.Combine(root, split, name)).FullName;
                foreach (var file in Directory.GetFiles(Path.Combine(flowers, split, name), "*.jpg").Order().Take(count))
                    File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        return root;
    }

    static (int Exit, string Output, string Error) Host(params string[] args) => HostCommandTests.Invoke(args);

    /// <summary>One small pretrained run shared by the tests (ResNet-18 at 96 px, two frozen epochs and one of fine-tuning).</summary>
    internal static readonly Lazy<(string Root, string Run)> Trained = new(() =>
    {
        var root = PhotoRoot();
        var output = TestData.TempDirectory();
        var (exit, text, error) = Host("images", "--data", root, "--image-size", "96", "--epochs", "3", "--batch-size", "6", "--output", output);
        Assert.True(exit == 0, error + text);
        Assert.Contains("Layout: SplitFolders", text);
        Assert.Contains("36 train, 12 validation, 0 test", text);
        Assert.Contains("ResNet-18 from ImageNet weights", text);
        return (root, Assert.Single(Directory.GetDirectories(output)));
    });

    [Fact]
    public void Images_on_a_train_val_root_starts_from_imagenet_and_records_its_settings()
    {
        var (_, run) = Trained.Value;
        var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))).RootElement;
        var settings = metrics.GetProperty("Settings");
        Assert.Equal("SplitFolders", settings.GetProperty("layout").GetString());
        Assert.Equal(Classes, settings.GetProperty("classes").EnumerateArray().Select(c => c.GetString()).ToArray());
        Assert.Contains("ResNet-18", settings.GetProperty("pretrained").GetString());
        Assert.Equal(96, settings.GetProperty("imageSize").GetInt32());
        Assert.Equal(36, settings.GetProperty("trainImages").GetInt32());
        Assert.Equal(Classes, metrics.GetProperty("ClassNames").EnumerateArray().Select(c => c.GetString()).Order().ToArray());
        // Three short epochs on 36 photos from ImageNet features beat chance (1/3) on the 12 held-out ones (58% here).
        Assert.True(metrics.GetProperty("Accuracy").GetDouble() > 0.4, $"accuracy {metrics.GetProperty("Accuracy").GetDouble():P1}");
    }

    [Fact]
    public void Predict_names_the_class_of_each_jpeg_and_reports_a_broken_one()
    {
        var (root, run) = Trained.Value;
        var broken = Path.Combine(TestData.TempDirectory(), "cut.jpg");
        var photo = Directory.GetFiles(Path.Combine(root, "val", "roses")).Order().First();
        File.WriteAllBytes(broken, File.ReadAllBytes(photo).Take(3000).ToArray());

        var (exit, text, error) = Host("predict", Path.Combine(run, "model.zip"), Path.Combine(root, "val"), "--json");
        Assert.True(exit == 0, error);
        var predictions = JsonDocument.Parse(text).RootElement.GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(12, predictions.Length);
        Assert.All(predictions, p => Assert.Contains(p.GetProperty("label").GetString(), Classes));
        Assert.All(predictions, p => Assert.Equal(1.0, p.GetProperty("probabilities").EnumerateObject().Sum(c => c.Value.GetDouble()), 3));

        var (brokenExit, table, _) = Host("predict", Path.Combine(run, "model.zip"), photo, broken);
        Assert.Equal(2, brokenExit);
        Assert.Contains("cut.jpg", table);
        Assert.Contains("1 image(s) scored, 1 not readable", table);

        var (missingExit, _, missing) = Host("predict", Path.Combine(run, "model.zip"), "/nonexistent/photo.jpg");
        Assert.Equal(1, missingExit);
        Assert.Contains("'/nonexistent/photo.jpg' is neither an image file nor a folder", missing);
    }

    [Fact]
    public void A_prediction_engine_with_only_an_image_path_gives_class_names_and_the_same_probabilities_in_a_new_process()
    {
        var (root, run) = Trained.Value;
        var model = Path.Combine(run, "model.zip");
        var photo = Directory.GetFiles(Path.Combine(root, "val", "sunflowers")).Order().First();

        var ml = new MLContext().RegisterMLToolkit();
        var engine = ml.Model.CreatePredictionEngine<PhotoInput, PhotoPrediction>(ml.Model.Load(model, out _));
        var here = engine.Predict(new PhotoInput { ImagePath = photo });
        Assert.Contains(here.PredictedLabel, Classes);
        Assert.Equal(3, here.Score.Length);

        // The host's own predict command, in a child process of its own.
        var host = Path.Combine(AppContext.BaseDirectory, "MLToolkit.Pipelines.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { host, "predict", model, photo, "--json" }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, stderr);
        var there = JsonDocument.Parse(stdout).RootElement.GetProperty("predictions")[0];
        Assert.Equal(here.PredictedLabel, there.GetProperty("label").GetString());
        // The JSON lists the classes in the model's order, the order of Score.
        var elsewhere = there.GetProperty("probabilities").EnumerateObject().Select(p => (float)p.Value.GetDouble()).ToArray();
        for (int i = 0; i < 3; i++) Assert.Equal(here.Score[i], elsewhere[i], 5);
    }

    [Fact]
    public void Evaluate_on_the_root_scores_its_held_out_folder_and_names_the_classes()
    {
        var (root, run) = Trained.Value;
        var (exit, text, error) = Host("evaluate", Path.Combine(run, "model.zip"), "--data", root);
        Assert.True(exit == 0, error);
        Assert.Contains("Scored 12 images of 3 classes (", text);
        Assert.All(Classes, c => Assert.Contains(c, text));

        var (valExit, valText, valError) = Host("evaluate", Path.Combine(run, "model.zip"), "--data", Path.Combine(root, "train"));
        Assert.True(valExit == 0, valError);
        Assert.Contains("Scored 36 images", valText);
    }

    /// <summary>What the app has: a path.</summary>
    public sealed class PhotoInput
    {
        /// <summary>The image file.</summary>
        public string ImagePath { get; set; } = "";
    }

    /// <summary>What the app gets: the class name and the probabilities.</summary>
    public sealed class PhotoPrediction
    {
        /// <summary>The class name.</summary>
        public string PredictedLabel { get; set; } = "";

        /// <summary>One probability per class.</summary>
        public float[] Score { get; set; } = [];
    }
}
