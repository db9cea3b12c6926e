using MLToolkit.Datasets.Images;
using MLToolkit.Datasets.Idx;
using MLToolkit.Datasets.Mnist;

namespace MLToolkit.Datasets.Detection;

/// <summary>One generated scene: its pixels (grey, row by row, in [0, 1]) and its labelled boxes.</summary>
/// <param name="Image">Size × Size floats.</param>
/// <param name="Objects">The digits: class = the digit, box = the tight box around its ink.</param>
public sealed record DetectionScene(float[] Image, IReadOnlyList<LabeledBox> Objects);

/// <summary>
/// Object-detection scenes made from the vendored MNIST (see <see cref="DetectionSceneOptions"/> for the fixed
/// default set): each canvas holds 1–5 digits of random size and place, each with its class and box. Training
/// scenes use training digits only and test scenes test digits only, as MNIST's split does.
/// </summary>
public static class MnistDetectionScenes
{
    /// <summary>The class names, in index order: the digits 0–9.</summary>
    public static readonly IReadOnlyList<string> ClassNames = Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray();

    /// <summary>Generates the training and test scenes from the vendored MNIST (checksums verified).</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public static (IReadOnlyList<DetectionScene> Train, IReadOnlyList<DetectionScene> Test) Generate(DetectionSceneOptions? options = null)
    {
        options ??= new DetectionSceneOptions();
        Mnist.Mnist.VerifyChecksums(Mnist.Mnist.VendoredDirectory);
        return Generate(Mnist.Mnist.VendoredDirectory, options);
    }

    /// <summary>Generates the scenes from the MNIST files in <paramref name="directory"/>.</summary>
    public static (IReadOnlyList<DetectionScene> Train, IReadOnlyList<DetectionScene> Test) Generate(string directory, DetectionSceneOptions options)
    {
        options.Validate();
        // Different seeds per split, so the test scenes are not the training scenes with other digits.
        return (Scenes(MnistDigits.Load(directory, "train"), options.TrainScenes, options, options.Seed),
                Scenes(MnistDigits.Load(directory, "t10k"), options.TestScenes, options, options.Seed + 1_000_003));
    }

    /// <summary>The shape of a scene's image.</summary>
    public static ImageShape Shape(DetectionSceneOptions options) => new(1, options.Size, options.Size);

    /// <summary>Makes <paramref name="count"/> scenes from <paramref name="digits"/>; the same seed gives the same scenes.</summary>
    internal static IReadOnlyList<DetectionScene> Scenes((IdxImages Images, byte[] Labels) digits, int count, DetectionSceneOptions options, int seed)
    {
        var random = new Random(seed);
        int size = options.Size;
        var scenes = new DetectionScene[count];
        for (int s = 0; s < count; s++)
        {
            var image = new float[size * size];
            var objects = new List<LabeledBox>();
            int wanted = random.Next(options.MinDigits, options.MaxDigits + 1);
            for (int d = 0; d < wanted; d++)
            {
                int index = random.Next(digits.Labels.Length);
                int scaled = random.Next(options.MinDigitSize, options.MaxDigitSize + 1);
                // A place whose square keeps clear of the earlier digits' boxes, so that every digit stays visible.
                (int Left, int Top)? place = null;
                for (int attempt = 0; attempt < 20 && place is null; attempt++)
                {
                    int left = random.Next(size - scaled + 1), top = random.Next(size - scaled + 1);
                    var square = new BoundingBox(left, top, left + scaled, top + scaled);
                    if (objects.All(o => o.Box.IoU(square) <= options.MaxOverlap)) place = (left, top);
                }
                if (place is not { } at) continue;
                var digit = MnistDigits.Scaled(digits.Images, index, scaled);
                int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
                for (int y = 0; y < scaled; y++)
                    for (int x = 0; x < scaled; x++)
                    {
                        float value = digit[y * scaled + x];
                        int p = (at.Top + y) * size + at.Left + x;
                        image[p] = Math.Max(image[p], value);
                        if (value < options.InkThreshold) continue;
                        (minX, minY, maxX, maxY) = (Math.Min(minX, x), Math.Min(minY, y), Math.Max(maxX, x), Math.Max(maxY, y));
                    }
                if (maxX < 0) continue; // no ink at this size (never seen in MNIST, kept for safety)
                objects.Add(new LabeledBox(digits.Labels[index], new BoundingBox(at.Left + minX, at.Top + minY, at.Left + maxX + 1, at.Top + maxY + 1)));
            }
            scenes[s] = new DetectionScene(image, objects);
        }
        return scenes;
    }
}
