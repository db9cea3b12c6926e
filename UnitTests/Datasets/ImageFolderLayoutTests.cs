using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.ImageFolders;

namespace MLToolkit.UnitTests.Datasets;

/// <summary>The three folder layouts ImageFolder reads, and the bad folders it refuses or skips by name.</summary>
public class ImageFolderLayoutTests
{
    /// <summary>Writes <paramref name="count"/> small distinct PNGs into <paramref name="root"/>/<paramref name="folder"/>.</summary>
    static string Images(string root, string folder, int count)
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, folder)).FullName;
        for (int i = 0; i < count; i++)
            PngWriter.Write(Path.Combine(dir, $"{i:D3}.png"), 12, 12, (x, y) => (byte)((x * 19 + y * 7 + i * 31) & 0xFF));
        return dir;
    }

    static int Rows(IDataView view) => view.GetColumn<string>("Label").Count();

    static ImageFolderOptions Quiet(List<string>? warnings = null) => new() { Seed = 1, Warning = warnings is null ? _ => { } : warnings.Add };

    [Fact]
    public void Class_folders_are_split_per_class_into_path_and_label_columns()
    {
        var root = TestData.TempDirectory();
        Images(root, "cat", 20);
        Images(root, "dog", 10);

        var data = ImageFolder.LoadPaths(new MLContext(), root, Quiet());

        Assert.Equal(ImageFolderLayout.ClassFolders, data.Layout);
        Assert.Equal(["cat", "dog"], data.ClassNames);
        // cat 20: 4 test, 2 val, 14 train; dog 10: 2 test, 1 val, 7 train.
        Assert.Equal((21, 3, 6), (data.TrainCount, data.ValidationCount, data.TestCount));
        Assert.Equal((21, 3, 6), (Rows(data.Train), Rows(data.Validation), Rows(data.Test)));
        Assert.Equal(["ImagePath", "Label"], data.Train.Schema.Select(c => c.Name));
        Assert.All(data.Train.GetColumn<string>("ImagePath"), p => Assert.True(Path.IsPathFullyQualified(p) && File.Exists(p), p));
        Assert.Contains(root, data.Folders);
    }

    [Fact]
    public void Split_folders_in_any_case_are_used_as_given()
    {
        var root = TestData.TempDirectory();
        foreach (var c in new[] { "cat", "dog" })
        {
            Images(root, Path.Combine("Train", c), 6);
            Images(root, Path.Combine("VAL", c), 2);
            Images(root, Path.Combine("test", c), 3);
        }

        var data = ImageFolder.LoadPaths(new MLContext(), root, Quiet());

        Assert.Equal(ImageFolderLayout.SplitFolders, data.Layout);
        Assert.Equal(["cat", "dog"], data.ClassNames);
        Assert.Equal((12, 4, 6), (data.TrainCount, data.ValidationCount, data.TestCount));
        Assert.All(data.Validation.GetColumn<string>("ImagePath"), p => Assert.StartsWith(Path.Combine(root, "VAL"), p));
        Assert.All(data.Test.GetColumn<string>("ImagePath"), p => Assert.StartsWith(Path.Combine(root, "test"), p));
        Assert.Equal($"train: {Path.Combine(root, "Train")}, val: {Path.Combine(root, "VAL")}, test: {Path.Combine(root, "test")}", data.Folders);
    }

    [Fact]
    public void Train_and_validation_folders_without_test_give_an_empty_test_split_with_pixels()
    {
        var root = TestData.TempDirectory();
        foreach (var c in new[] { "cat", "dog", "owl" })
        {
            Images(root, Path.Combine("train", c), 4);
            Images(root, Path.Combine("validation", c), 2);
        }

        var data = ImageFolder.Load(new MLContext(), root, 8, 8, 1, Quiet());

        Assert.Equal(ImageFolderLayout.SplitFolders, data.Layout);
        Assert.Equal((12, 6, 0), (data.TrainCount, data.ValidationCount, data.TestCount));
        Assert.Equal(0, Rows(data.Test));
        Assert.Equal(8 * 8, ((VectorDataViewType)data.Test.Schema["Image"].Type).Size);
        Assert.Equal(6, data.Validation.GetColumn<float[]>("Image").Count(p => p.Length == 64));
        Assert.EndsWith("test: none", data.Folders);
    }

    [Fact]
    public void Explicit_folders_come_from_the_options_absolute_or_relative_to_the_current_directory()
    {
        var root = TestData.TempDirectory();
        foreach (var c in new[] { "cat", "dog" })
        {
            Images(root, Path.Combine("mine", c), 5);
            Images(root, Path.Combine("held-out", c), 2);
        }
        var options = Quiet() with
        {
            TrainFolder = Path.Combine(root, "mine"),
            TestFolder = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(root, "held-out")),
        };

        var data = ImageFolder.LoadPaths(new MLContext(), null, options);

        Assert.Equal(ImageFolderLayout.ExplicitFolders, data.Layout);
        Assert.Equal((10, 0, 4), (data.TrainCount, data.ValidationCount, data.TestCount));
        Assert.Equal($"train: {Path.Combine(root, "mine")}, val: none, test: {Path.Combine(root, "held-out")}", data.Folders);

        Assert.Contains("not both", Assert.Throws<ArgumentException>(() => ImageFolder.LoadPaths(new MLContext(), root, options)).Message);
        var noTrain = Quiet() with { ValidationFolder = Path.Combine(root, "held-out") };
        Assert.Contains("TrainFolder", Assert.Throws<ArgumentException>(() => ImageFolder.LoadPaths(new MLContext(), root, noTrain)).Message);
        var missing = Quiet() with { TrainFolder = Path.Combine(root, "nowhere") };
        Assert.Contains("TrainFolder", Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.LoadPaths(new MLContext(), null, missing)).Message);
    }

    [Fact]
    public void A_root_mixing_split_folders_with_class_folders_is_refused_naming_the_three_layouts()
    {
        var root = TestData.TempDirectory();
        Images(root, Path.Combine("train", "cat"), 2);
        Images(root, Path.Combine("train", "dog"), 2);
        Images(root, "cats", 2);

        var mixed = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadPaths(new MLContext(), root, Quiet())).Message;
        Assert.Contains("'train'", mixed);
        Assert.Contains("'cats'", mixed);
        Assert.Contains("class folders", mixed);
        Assert.Contains("split folders", mixed);
        Assert.Contains("explicit folders", mixed);

        var both = TestData.TempDirectory();
        foreach (var split in new[] { "train", "val", "Validation" }) Images(both, Path.Combine(split, "cat"), 1);
        var twice = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadPaths(new MLContext(), both, Quiet())).Message;
        Assert.Contains("'val'", twice);
        Assert.Contains("'Validation'", twice);

        // val/ and test/ alone would otherwise train "test vs val".
        var noTrain = TestData.TempDirectory();
        foreach (var split in new[] { "val", "test" }) Images(noTrain, Path.Combine(split, "cat"), 1);
        Assert.Contains("no train/", Assert.Throws<InvalidDataException>(() => ImageFolder.LoadPaths(new MLContext(), noTrain, Quiet())).Message);
    }

    [Fact]
    public void Splits_with_different_classes_are_refused_naming_the_class_and_the_folder_it_is_missing_from()
    {
        var root = TestData.TempDirectory();
        Images(root, Path.Combine("train", "cat"), 2);
        Images(root, Path.Combine("train", "dog"), 2);
        Images(root, Path.Combine("val", "cat"), 1);
        Images(root, Path.Combine("val", "dog"), 1);
        Images(root, Path.Combine("val", "owl"), 1);
        var extra = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadPaths(new MLContext(), root, Quiet())).Message;
        Assert.Contains($"class 'owl' is in '{Path.Combine(root, "val")}' but missing from '{Path.Combine(root, "train")}'", extra);

        Directory.Delete(Path.Combine(root, "val", "owl"), recursive: true);
        Images(root, Path.Combine("test", "cat"), 1);
        var lacking = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadPaths(new MLContext(), root, Quiet())).Message;
        Assert.Contains($"class 'dog' is in '{Path.Combine(root, "train")}' but missing from '{Path.Combine(root, "test")}'", lacking);
    }

    [Fact]
    public void An_empty_class_folder_is_a_warning_and_not_a_class_and_an_error_when_strict()
    {
        var root = TestData.TempDirectory();
        Images(root, "cat", 5);
        Images(root, "dog", 5);
        var empty = Directory.CreateDirectory(Path.Combine(root, "owl")).FullName;
        var warnings = new List<string>();

        var data = ImageFolder.LoadPaths(new MLContext(), root, Quiet(warnings));

        Assert.Equal(["cat", "dog"], data.ClassNames);
        Assert.Contains(warnings, w => w.Contains(empty) && w.Contains("no readable images"));
        Assert.Empty(data.Skipped);
        var strict = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadPaths(new MLContext(), root, Quiet() with { Strict = true }));
        Assert.Contains(empty, strict.Message);

        // In split folders, a class empty in train/ but with images in val/ could never be predicted.
        var splits = TestData.TempDirectory();
        foreach (var c in new[] { "cat", "dog" })
        {
            Images(splits, Path.Combine("train", c), 3);
            Images(splits, Path.Combine("val", c), 1);
        }
        Directory.CreateDirectory(Path.Combine(splits, "train", "owl"));
        Images(splits, Path.Combine("val", "owl"), 1);
        var unlearnable = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadPaths(new MLContext(), splits, Quiet())).Message;
        Assert.Contains("'owl'", unlearnable);
        Assert.Contains(Path.Combine(splits, "train"), unlearnable);
    }

    [Fact]
    public void Fewer_than_two_classes_are_refused()
    {
        var one = TestData.TempDirectory();
        Images(one, "cat", 3);
        var single = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(new MLContext(), one, 8, 8, 1, Quiet())).Message;
        Assert.Contains("at least two", single);
        Assert.Contains("'cat'", single);

        // Two folders, but one holds only a file that is not an image: one class is left.
        var two = TestData.TempDirectory();
        Images(two, "cat", 3);
        Directory.CreateDirectory(Path.Combine(two, "dog"));
        File.WriteAllText(Path.Combine(two, "dog", "readme.txt"), "not an image");
        var dropped = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadPaths(new MLContext(), two, Quiet())).Message;
        Assert.Contains("at least two", dropped);
        Assert.Contains("'dog'", dropped);
    }

    [Fact]
    public void Hidden_files_and_folders_and_system_litter_are_skipped_silently()
    {
        var root = TestData.TempDirectory();
        foreach (var c in new[] { "cat", "dog" })
        {
            var dir = Images(root, Path.Combine("train", c), 3);
            foreach (var litter in new[] { ".DS_Store", "Thumbs.db", "desktop.ini", "._000.png" })
                File.WriteAllText(Path.Combine(dir, litter), "litter");
            File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(dir, ".thumbnails")).FullName, "x.png"), "litter");
        }
        File.WriteAllText(Path.Combine(root, ".DS_Store"), "litter");
        File.WriteAllText(Path.Combine(root, "train", "Thumbs.db"), "litter");
        Directory.CreateDirectory(Path.Combine(root, ".ipynb_checkpoints"));
        Directory.CreateDirectory(Path.Combine(root, "train", ".cache"));
        var warnings = new List<string>();

        var data = ImageFolder.LoadPaths(new MLContext(), root, Quiet(warnings));

        Assert.Equal(ImageFolderLayout.SplitFolders, data.Layout);
        Assert.Equal(["cat", "dog"], data.ClassNames);
        Assert.Equal(6, data.TrainCount);
        Assert.Empty(warnings);
        Assert.Empty(data.Skipped);
    }

    [Fact]
    public void A_truncated_real_jpeg_is_reported_as_undecodable_by_name()
    {
        // Real photos (CC BY 2.0) from the shared datasets folder, copied at run time, never into the repository.
        var flowers = MnistTests.FindShared("flowers-small");
        Assert.True(flowers is not null, "flowers-small was not found in a 'shared/datasets' folder above the test assembly.");
        var root = TestData.TempDirectory();
        foreach (var c in new[] { "daisy", "roses" })
        {
            var dir = Directory.CreateDirectory(Path.Combine(root, c)).FullName;
            foreach (var photo in Directory.GetFiles(Path.Combine(flowers!, "train", c), "*.jpg").Order(StringComparer.Ordinal).Take(3))
                File.Copy(photo, Path.Combine(dir, Path.GetFileName(photo)));
        }
        var whole = File.ReadAllBytes(Directory.GetFiles(Path.Combine(root, "roses")).Order(StringComparer.Ordinal).First());
        var truncated = Path.Combine(root, "roses", "cut-short.jpg");
        File.WriteAllBytes(truncated, whole[..(int)(whole.Length * 0.3)]);
        var warnings = new List<string>();

        var data = ImageFolder.Load(new MLContext(), root, 32, 32, 3, Quiet(warnings) with { TestFraction = 0, ValidationFraction = 0 });

        var skipped = Assert.Single(data.Skipped);
        Assert.Equal(truncated, skipped.Path);
        Assert.Contains("cannot be decoded", skipped.Reason);
        Assert.Contains(warnings, w => w.Contains(truncated) && w.Contains("cannot be decoded"));
        Assert.Equal(6, data.Train.GetColumn<float[]>("Image").Count(p => p.Length == 3 * 32 * 32 && p.Max() > 0));

        var strict = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadPaths(new MLContext(), root, Quiet() with { Strict = true })).Message;
        Assert.Contains(truncated, strict);
        Assert.Contains("not a readable image", strict);
    }

    [Fact]
    public void Preprocessing_saved_in_a_model_turns_an_image_path_into_pixels()
    {
        var root = TestData.TempDirectory();
        Images(root, "cat", 3);
        Images(root, "dog", 3);
        var ml = new MLContext();
        var paths = ImageFolder.LoadPaths(ml, root, Quiet() with { TestFraction = 0, ValidationFraction = 0 });
        var model = ImageFolder.Preprocessing(ml, 10, 6, 3).Fit(paths.Train);
        var file = Path.Combine(TestData.TempDirectory(), "pixels.zip");
        ml.Model.Save(model, paths.Train.Schema, file);

        var loaded = new MLContext().Model.Load(file, out _);
        var scored = loaded.Transform(ml.Data.LoadFromEnumerable([new PathRow { ImagePath = Path.Combine(root, "cat", "000.png") }]));

        Assert.DoesNotContain(scored.Schema, c => c.Name == "Picture");
        var pixels = Assert.Single(scored.GetColumn<float[]>("Image"));
        Assert.Equal(3 * 6 * 10, pixels.Length);
        Assert.InRange(pixels.Max(), 0.01f, 1f);
    }

    sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }
}
