using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.ImageFolders;

namespace MLToolkit.UnitTests.Datasets;

/// <summary>Your own images: a folder the test draws itself (circles, squares, crosses as real PNG files).</summary>
public class ImageFolderTests
{
    /// <summary>Draws <paramref name="perClass"/> shapes of each class at random sizes and places, plus two files that are not images.</summary>
    public static string DrawShapes(int perClass = 40, int size = 40)
    {
        var root = TestData.TempDirectory();
        var random = new Random(5);
        var shapes = new Dictionary<string, Func<int, int, int, int, int, bool>>
        {
            ["circle"] = (x, y, cx, cy, r) => Math.Abs(Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)) - r) < 1.5,
            ["square"] = (x, y, cx, cy, r) => Math.Max(Math.Abs(x - cx), Math.Abs(y - cy)) is var d && d >= r - 1 && d <= r,
            ["cross"] = (x, y, cx, cy, r) => (Math.Abs(x - cx) <= 1 && Math.Abs(y - cy) <= r) || (Math.Abs(y - cy) <= 1 && Math.Abs(x - cx) <= r),
        };
        foreach (var (name, inside) in shapes)
        {
            var folder = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
            for (int i = 0; i < perClass; i++)
            {
                int r = random.Next(size / 5, size / 3), cx = random.Next(r + 2, size - r - 2), cy = random.Next(r + 2, size - r - 2);
                PngWriter.Write(Path.Combine(folder, $"{i:D3}.png"), size, size, (x, y) => inside(x, y, cx, cy, r) ? (byte)255 : (byte)0);
            }
        }
        File.WriteAllText(Path.Combine(root, "circle", "notes.png"), "not an image");
        var truncated = File.ReadAllBytes(Path.Combine(root, "square", "000.png"));
        File.WriteAllBytes(Path.Combine(root, "square", "broken.png"), truncated.Take(30).ToArray());
        return root;
    }

    [Fact]
    public void Loads_splits_by_class_and_reports_bad_files_by_name()
    {
        var root = DrawShapes();
        var warnings = new List<string>();
        var ml = new MLContext();
        var data = ImageFolder.Load(ml, root, 28, 28, 1, new ImageFolderOptions { Seed = 3, Warning = warnings.Add });

        Assert.Equal(["circle", "cross", "square"], data.ClassNames);
        Assert.Equal(2, data.Skipped.Count);
        Assert.Contains(warnings, w => w.Contains("notes.png") && w.Contains("not a PNG"));
        Assert.Contains(warnings, w => w.Contains("broken.png"));

        // 40 per class: 8 test, 4 validation, 28 train each.
        var trainLabels = data.Train.GetColumn<string>("Label").ToArray();
        Assert.Equal(84, trainLabels.Length);
        Assert.All(data.ClassNames, c => Assert.Equal(28, trainLabels.Count(l => l == c)));
        Assert.Equal(24, data.Test.GetColumn<string>("Label").Count());
        Assert.Equal(12, data.Validation.GetColumn<string>("Label").Count());

        var image = data.Train.Schema["Image"];
        Assert.Equal(28 * 28, ((VectorDataViewType)image.Type).Size);
        var pixels = data.Train.GetColumn<float[]>("Image").First();
        Assert.InRange(pixels.Max(), 0.9f, 1f);
        Assert.Equal(0f, pixels.Min());

        var strict = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(ml, root, 28, 28, 1, new ImageFolderOptions { Strict = true }));
        Assert.Contains("notes.png", strict.Message);
    }

    [Fact]
    public void Colour_images_have_three_planes_and_a_cnn_learns_the_shapes()
    {
        var ml = new MLContext(seed: 1);
        var data = ImageFolder.Load(ml, DrawShapes(), 32, 32, 3, new ImageFolderOptions { Warning = _ => { } });
        Assert.Equal(3 * 32 * 32, ((VectorDataViewType)data.Train.Schema["Image"].Type).Size);

        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions
            {
                Architecture = Architectures.MnistClassic(), Epochs = 15, BatchSize = 16, Optimizer = Optimizers.Adam(2e-3),
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(data.Train);
        var scored = model.Transform(data.Test);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.True(metrics.MicroAccuracy > 0.6, $"accuracy {metrics.MicroAccuracy:P1} on {data.Test.GetColumn<string>("Label").Count()} test shapes");
        Assert.All(scored.GetColumn<string>("PredictedLabel"), p => Assert.Contains(p, data.ClassNames));
    }

    [Fact]
    public void Missing_or_empty_folders_say_what_is_expected()
    {
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Load(new MLContext(), "/no/such/folder", 28, 28, 1));
        var empty = TestData.TempDirectory();
        Assert.Contains("class subfolders", Assert.Throws<InvalidDataException>(() => ImageFolder.Load(new MLContext(), empty, 28, 28, 1)).Message);
    }
}
