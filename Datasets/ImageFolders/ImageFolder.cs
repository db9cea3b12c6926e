using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLToolkit.Datasets.Images;

namespace MLToolkit.Datasets.ImageFolders;

/// <summary>
/// Your own dataset: a folder with one subfolder per class holding JPEG, PNG or BMP files (the
/// "make your own dataset" layout). ML.NET ImageAnalytics loads, resizes and extracts the pixels.
/// </summary>
public static class ImageFolder
{
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp"];

    /// <summary>
    /// Lists the images under <paramref name="path"/>, checks that each one decodes, splits them per
    /// class into train/validation/test by the fractions of <paramref name="options"/> (stratified,
    /// seeded) and returns views that resize each image to <paramref name="width"/> ×
    /// <paramref name="height"/> with <paramref name="channels"/> channels (1 grey, 3 RGB).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No class subfolders or no images; or, in strict mode, a file that is not a readable image.</exception>
    /// <exception cref="ArgumentException">A size, channel count or fraction is out of range.</exception>
    public static ImageFolderData Load(MLContext ml, string path, int width, int height, int channels, ImageFolderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        options ??= new ImageFolderOptions();
        if (width < 1 || height < 1) throw new ArgumentException($"Image size must be positive; it is {width}×{height}.");
        if (channels is not (1 or 3)) throw new ArgumentException($"channels must be 1 (grey) or 3 (RGB); it is {channels}.", nameof(channels));
        if (options.ValidationFraction < 0 || options.TestFraction < 0 || options.ValidationFraction + options.TestFraction >= 1)
            throw new ArgumentException($"ValidationFraction ({options.ValidationFraction}) and TestFraction ({options.TestFraction}) must be >= 0 and leave some training data.");
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"Image folder '{path}' does not exist.");

        var classes = Directory.GetDirectories(path).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0)
            throw new InvalidDataException($"'{path}' has no class subfolders; put each class's images in its own subfolder (e.g. {path}/cat/1.jpg).");

        var warn = options.Warning ?? (line => Console.Error.WriteLine(line));
        var skipped = new List<(string, string)>();
        var byClass = new List<List<ImageFile>>();
        foreach (var name in classes)
        {
            var files = new List<ImageFile>();
            foreach (var file in Directory.EnumerateFiles(Path.Combine(path, name), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (ImageCheck.Problem(file) is { } problem)
                {
                    if (options.Strict) throw new InvalidDataException($"'{file}' is not a readable image: {problem}.");
                    skipped.Add((file, problem));
                    warn($"warning: skipping '{file}': {problem}");
                    continue;
                }
                files.Add(new ImageFile { ImagePath = file, Label = name });
            }
            byClass.Add(files);
        }
        if (byClass.All(f => f.Count == 0)) throw new InvalidDataException($"'{path}' holds no readable images ({string.Join(", ", Extensions)}).");

        var (train, validation, test) = Split(byClass, options);
        // The image steps learn nothing from data: fit once, apply to each split.
        var pixels = Pipeline(ml, width, height, channels).Fit(ml.Data.LoadFromEnumerable(train));
        IDataView View(List<ImageFile> rows) => pixels.Transform(ml.Data.LoadFromEnumerable(rows));
        return new ImageFolderData(View(train), View(validation), View(test), classes, skipped);
    }

    /// <summary>Per class: shuffle with the seed, then cut test, validation and train shares.</summary>
    static (List<ImageFile>, List<ImageFile>, List<ImageFile>) Split(List<List<ImageFile>> byClass, ImageFolderOptions options)
    {
        var random = new Random(options.Seed);
        List<ImageFile> train = [], validation = [], test = [];
        foreach (var files in byClass)
        {
            var shuffled = files.OrderBy(_ => random.Next()).ToList();
            int testCount = (int)Math.Round(shuffled.Count * options.TestFraction);
            int validationCount = (int)Math.Round(shuffled.Count * options.ValidationFraction);
            test.AddRange(shuffled.Take(testCount));
            validation.AddRange(shuffled.Skip(testCount).Take(validationCount));
            train.AddRange(shuffled.Skip(testCount + validationCount));
        }
        // Interleave classes so that the first rows of a view are not all one class.
        return (train.OrderBy(_ => random.Next()).ToList(), validation, test);
    }

    /// <summary>LoadImages → (grey) → ResizeImages → ExtractPixels (planar, scaled to [0, 1]) into the Image column.</summary>
    static IEstimator<ITransformer> Pipeline(MLContext ml, int width, int height, int channels)
    {
        IEstimator<ITransformer> chain = ml.Transforms.LoadImages("Picture", imageFolder: null, inputColumnName: nameof(ImageFile.ImagePath))
            .Append(ml.Transforms.ResizeImages("Picture", width, height, resizing: ImageResizingEstimator.ResizingKind.IsoPad));
        if (channels == 1) chain = chain.Append(ml.Transforms.ConvertToGrayscale("Picture"));
        var colors = channels == 1 ? ImagePixelExtractingEstimator.ColorBits.Red : ImagePixelExtractingEstimator.ColorBits.Rgb;
        return chain
            .Append(ml.Transforms.ExtractPixels(ImageColumns.Image, "Picture", colors, interleavePixelColors: false, scaleImage: 1f / 255))
            .Append(ml.Transforms.DropColumns("Picture"));
    }

    /// <summary>One listed file.</summary>
    sealed class ImageFile
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }
}
