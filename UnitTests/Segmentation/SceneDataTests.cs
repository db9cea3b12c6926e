using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Segmentation;
using MLToolkit.UnitTests.Datasets;

namespace MLToolkit.UnitTests.Segmentation;

/// <summary>The generated MNIST scenes and the image + mask folders of users' own data.</summary>
public class SceneDataTests
{
    static uint[][] Masks(IDataView data) => data.GetColumn<uint[]>(SegmentationData.Mask).ToArray();
    static float[][] Images(IDataView data) => data.GetColumn<float[]>("Image").ToArray();

    [Fact]
    public void The_same_seed_gives_the_same_scenes_and_another_seed_others()
    {
        var options = new SceneOptions { TrainScenes = 20, TestScenes = 10, Size = 48 };
        var (a, aTest) = MnistScenes.Generate(new MLContext(), options);
        var (b, _) = MnistScenes.Generate(new MLContext(), options);
        var (c, _) = MnistScenes.Generate(new MLContext(), options with { Seed = 1 });
        Assert.Equal(Images(a), Images(b));
        Assert.Equal(Masks(a), Masks(b));
        Assert.NotEqual(Masks(a), Masks(c));
        Assert.Equal(10, Masks(aTest).Length);
        Assert.Equal(48 * 48, Masks(a)[0].Length);
        var maskType = Assert.IsType<VectorDataViewType>(a.Schema[SegmentationData.Mask].Type);
        Assert.Equal([48, 48], maskType.Dimensions.ToArray());
    }

    [Fact]
    public void Masks_mark_the_ink_of_each_digit_with_its_class_and_background_elsewhere()
    {
        var (train, _) = MnistScenes.Generate(new MLContext(), new SceneOptions { TrainScenes = 30, TestScenes = 0 });
        var images = Images(train);
        var masks = Masks(train);
        for (int s = 0; s < masks.Length; s++)
        {
            Assert.All(masks[s], m => Assert.True(m <= 10u || m == SegmentationData.Ignore, $"class {m}"));
            for (int p = 0; p < masks[s].Length; p++)
                if (masks[s][p] != 0) Assert.True(images[s][p] >= 0.5f, $"scene {s} pixel {p}: class {masks[s][p]} on a dark pixel");
            // Background and one or two digits' classes (255 marks only where two digits' ink crosses).
            Assert.InRange(masks[s].Where(m => m != SegmentationData.Ignore).Distinct().Count(), 2, 3);
        }
    }

    [Fact]
    public void Training_scenes_use_training_digits_and_test_scenes_test_digits()
    {
        // An MNIST folder whose training digits are all 3s and test digits all 7s: the classes tell where each came from.
        var folder = TestData.TempDirectory();
        WriteIdx(folder, "train", 40, 3);
        WriteIdx(folder, "t10k", 40, 7);
        var (train, test) = MnistScenes.Generate(new MLContext(), folder, new SceneOptions { TrainScenes = 25, TestScenes = 25 });
        Assert.Equal([0u, 4u], Masks(train).SelectMany(m => m).Distinct().Order());
        Assert.Equal([0u, 8u], Masks(test).SelectMany(m => m).Distinct().Order());
    }

    [Fact]
    public void Where_the_ink_of_two_different_digits_crosses_the_mask_says_ignore_unless_asked_for_the_later_digit()
    {
        // Every digit is the same filled square and fills the whole 28×28 canvas, so the two digits of a scene cover
        // each other exactly: labels 3 and 5 alternate, so a scene holds two 3s, two 5s, or one of each.
        var folder = TestData.TempDirectory();
        WriteIdx(folder, "train", 40, 3, 5);
        WriteIdx(folder, "t10k", 2, 7);
        var options = new SceneOptions { Size = 28, MinDigitSize = 28, MaxDigitSize = 28, TrainScenes = 40, TestScenes = 0 };
        var ignoring = Masks(MnistScenes.Generate(new MLContext(), folder, options).Train);
        var later = Masks(MnistScenes.Generate(new MLContext(), folder, options with { IgnoreOverlaps = false }).Train);
        for (int s = 0; s < ignoring.Length; s++)
        {
            Assert.Equal(new uint[] { 0, later[s][14 * 28 + 14] }, later[s].Distinct().Order());
            // The same class twice is no doubt: the class stays. Two classes: the crossing is 255 in every inked pixel.
            uint expected = ignoring[s].Contains(4u) || ignoring[s].Contains(6u) ? later[s][14 * 28 + 14] : SegmentationData.Ignore;
            for (int p = 0; p < later[s].Length; p++)
                Assert.Equal(later[s][p] == 0 ? 0u : expected, ignoring[s][p]);
        }
        Assert.Contains(ignoring, m => m.Contains(SegmentationData.Ignore));
        Assert.Contains(ignoring, m => m.Contains(4u));
    }

    /// <summary>Writes raw IDX files of <paramref name="count"/> 28×28 digits: a filled square, labelled with <paramref name="digits"/> in turn.</summary>
    internal static void WriteIdx(string folder, string split, int count, params byte[] digits)
    {
        static byte[] Header(int magic, params int[] sizes) =>
            new[] { magic }.Concat(sizes).SelectMany(v => new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v }).ToArray();
        var pixels = new byte[count * 784];
        for (int i = 0; i < count; i++)
            for (int y = 8; y < 20; y++)
                for (int x = 8; x < 20; x++) pixels[i * 784 + y * 28 + x] = 255;
        File.WriteAllBytes(Path.Combine(folder, $"{split}-images-idx3-ubyte"), [.. Header(0x803, count, 28, 28), .. pixels]);
        File.WriteAllBytes(Path.Combine(folder, $"{split}-labels-idx1-ubyte"), [.. Header(0x801, count), .. Enumerable.Range(0, count).Select(i => digits[i % digits.Length])]);
    }

    /// <summary>An images/ + masks/ folder with one 4×4 photo and its mask written by <paramref name="writeMask"/>.</summary>
    static string Folder(Action<string> writeMask, int imageSize = 4)
    {
        var root = TestData.TempDirectory();
        Directory.CreateDirectory(Path.Combine(root, "images"));
        Directory.CreateDirectory(Path.Combine(root, "masks"));
        PngWriter.Write(Path.Combine(root, "images", "scene.png"), imageSize, imageSize, (x, y) => (byte)(x * 60));
        writeMask(Path.Combine(root, "masks", "scene.png"));
        return root;
    }

    static byte Quadrant(int x, int y) => (byte)(x < 2 ? (y < 2 ? 0 : 1) : (y < 2 ? 2 : 255));

    [Fact]
    public void Index_masks_and_palette_masks_read_the_same_classes_and_keep_255_as_ignore()
    {
        var options = new SegmentationFolderOptions { Size = 4, Classes = 3, Channels = 1 };
        var grey = Folder(path => PngWriter.Write(path, 4, 4, Quadrant));
        var palette = Folder(path => PngWriter.WritePalette(path, 4, 4, Quadrant, Enumerable.Range(0, 256).Select(MaskPalette.Colour).ToArray()));
        uint[] expected = [0, 0, 2, 2, 0, 0, 2, 2, 1, 1, 255, 255, 1, 1, 255, 255];
        Assert.Equal(expected, Masks(SegmentationFolder.Load(new MLContext(), grey, options).Train).Single());
        Assert.Equal(expected, Masks(SegmentationFolder.Load(new MLContext(), palette, options).Train).Single());
    }

    [Fact]
    public void Masks_are_resized_with_nearest_neighbour_never_interpolated()
    {
        var root = Folder(path => PngWriter.Write(path, 4, 4, Quadrant));
        var mask = Masks(SegmentationFolder.Load(new MLContext(), root, new SegmentationFolderOptions { Size = 8, Classes = 3 }).Train).Single();
        Assert.Equal(new uint[] { 0, 1, 2, 255 }, mask.Distinct().Order());
        Assert.Equal(16, mask.Count(m => m == 1)); // each quadrant becomes 4×4 pixels of its own class
        var shrunk = Masks(SegmentationFolder.Load(new MLContext(), root, new SegmentationFolderOptions { Size = 2, Classes = 3 }).Train).Single();
        Assert.Equal(new uint[] { 0, 2, 1, 255 }, shrunk);
    }

    [Fact]
    public void Pascal_voc_layout_reads_its_train_and_val_lists()
    {
        var root = TestData.TempDirectory();
        foreach (var folder in new[] { "JPEGImages", "SegmentationClass", Path.Combine("ImageSets", "Segmentation") })
            Directory.CreateDirectory(Path.Combine(root, folder));
        foreach (var id in new[] { "2007_000001", "2007_000002", "2007_000003" })
        {
            // A real JPEG, as VOC ships.
            using (var image = MLImage.CreateFromPixels(4, 4, MLPixelFormat.Rgba32, Enumerable.Repeat((byte)200, 64).ToArray()))
                image.Save(Path.Combine(root, "JPEGImages", id + ".jpg"));
            PngWriter.WritePalette(Path.Combine(root, "SegmentationClass", id + ".png"), 4, 4, Quadrant, Enumerable.Range(0, 256).Select(MaskPalette.Colour).ToArray());
        }
        File.WriteAllLines(Path.Combine(root, "ImageSets", "Segmentation", "train.txt"), ["2007_000001", "2007_000002"]);
        File.WriteAllLines(Path.Combine(root, "ImageSets", "Segmentation", "val.txt"), ["2007_000003"]);
        var (train, validation) = SegmentationFolder.Load(new MLContext(), root, new SegmentationFolderOptions { Size = 4 });
        Assert.Equal(2, Masks(train).Length);
        Assert.Single(Masks(validation!));
        Assert.Equal(3 * 16, Images(train)[0].Length);
    }

    [Fact]
    public void Bad_folders_are_refused_naming_the_file()
    {
        var options = new SegmentationFolderOptions { Size = 4, Classes = 3 };
        var missing = Folder(_ => { });
        var error = Assert.Throws<InvalidDataException>(() => SegmentationFolder.Load(new MLContext(), missing, options));
        Assert.Contains("has no mask", error.Message);
        Assert.Contains(Path.Combine(missing, "masks", "scene.png"), error.Message);

        var otherSize = Folder(path => PngWriter.Write(path, 5, 4, (x, y) => 0));
        error = Assert.Throws<InvalidDataException>(() => SegmentationFolder.Load(new MLContext(), otherSize, options));
        Assert.Contains("is 5x4 pixels but its image", error.Message);

        var outOfRange = Folder(path => PngWriter.Write(path, 4, 4, (x, y) => (byte)(x == 3 && y == 1 ? 7 : 0)));
        error = Assert.Throws<InvalidDataException>(() => SegmentationFolder.Load(new MLContext(), outOfRange, options));
        Assert.Contains("has class 7 at pixel (3, 1)", error.Message);
        Assert.Contains(Path.Combine(outOfRange, "masks", "scene.png"), error.Message);

        var neither = TestData.TempDirectory();
        Assert.Contains("Layouts: Pascal VOC", Assert.Throws<InvalidDataException>(() => SegmentationFolder.Load(new MLContext(), neither, options)).Message);
    }
}
