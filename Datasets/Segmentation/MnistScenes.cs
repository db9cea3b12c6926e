using Microsoft.ML;
using MLToolkit.Datasets.Idx;
using MLToolkit.Datasets.Images;
using MLToolkit.Datasets.Mnist;

namespace MLToolkit.Datasets.Segmentation;

/// <summary>
/// Scenes for semantic segmentation made from the vendored MNIST: each canvas holds a few digits,
/// scaled and placed at random, with a mask of 11 classes per pixel (0 background, 1 + d for digit d).
/// Training scenes use training digits only and test scenes test digits only, as MNIST's split does.
/// </summary>
public static class MnistScenes
{
    /// <summary>Number of classes of the masks: background and the ten digits.</summary>
    public const int Classes = 11;

    /// <summary>Class names in index order.</summary>
    public static readonly IReadOnlyList<string> ClassNames = ["background", .. Enumerable.Range(0, 10).Select(d => d.ToString())];

    /// <summary>Generates the training and test scenes from the vendored MNIST (checksums verified).</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public static (IDataView Train, IDataView Test) Generate(MLContext ml, SceneOptions? options = null) =>
        Generate(ml, Mnist.Mnist.VendoredDirectory, options ?? new SceneOptions(), verify: true);

    /// <summary>Generates the scenes from the MNIST files in <paramref name="directory"/>.</summary>
    public static (IDataView Train, IDataView Test) Generate(MLContext ml, string directory, SceneOptions options) =>
        Generate(ml, directory, options, verify: false);

    static (IDataView Train, IDataView Test) Generate(MLContext ml, string directory, SceneOptions options, bool verify)
    {
        ArgumentNullException.ThrowIfNull(ml);
        options.Validate();
        if (verify) Mnist.Mnist.VerifyChecksums(directory);
        var shape = new ImageShape(1, options.Size, options.Size);
        // Different seeds per split, so the test scenes are not the training scenes with other digits.
        var train = Scenes(MnistDigits.Load(directory, "train"), options.TrainScenes, options, options.Seed);
        var test = Scenes(MnistDigits.Load(directory, "t10k"), options.TestScenes, options, options.Seed + 1_000_003);
        return (SegmentationData.FromArrays(ml, train.Images, train.Masks, shape),
                SegmentationData.FromArrays(ml, test.Images, test.Masks, shape));
    }

    /// <summary>Makes <paramref name="count"/> scenes from <paramref name="digits"/>; the same seed gives the same scenes.</summary>
    internal static (List<float[]> Images, List<uint[]> Masks) Scenes((IdxImages Images, byte[] Labels) digits, int count, SceneOptions options, int seed)
    {
        var random = new Random(seed);
        int size = options.Size;
        var images = new List<float[]>(count);
        var masks = new List<uint[]>(count);
        for (int s = 0; s < count; s++)
        {
            var image = new float[size * size];
            var mask = new uint[size * size];
            for (int d = 0; d < options.DigitsPerScene; d++)
            {
                int index = random.Next(digits.Labels.Length);
                int scaled = random.Next(options.MinDigitSize, options.MaxDigitSize + 1);
                int left = random.Next(size - scaled + 1), top = random.Next(size - scaled + 1);
                var digit = MnistDigits.Scaled(digits.Images, index, scaled);
                uint label = 1u + digits.Labels[index];
                for (int y = 0; y < scaled; y++)
                    for (int x = 0; x < scaled; x++)
                    {
                        float value = digit[y * scaled + x];
                        int p = (top + y) * size + left + x;
                        // The canvas keeps the brighter ink; a pixel inked by two digits is theirs jointly (see IgnoreOverlaps).
                        image[p] = Math.Max(image[p], value);
                        if (value >= options.Threshold)
                            mask[p] = options.IgnoreOverlaps && mask[p] != 0 && mask[p] != label ? SegmentationData.Ignore : label;
                    }
            }
            images.Add(image);
            masks.Add(mask);
        }
        return (images, masks);
    }
}
