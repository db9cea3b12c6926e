using Microsoft.ML;
using Microsoft.ML.Transforms.Image;
using MLToolkit.Datasets.Images;

namespace MLToolkit.Datasets.ImageFolders;

/// <summary>
/// Your own dataset: JPEG, PNG or BMP files in class subfolders, in one of three layouts (see
/// <see cref="ImageFolderLayout"/>): a root of class folders split by fraction, a root of
/// <c>train/</c>, <c>val/</c> and <c>test/</c> folders, or explicit folders per split. ML.NET
/// ImageAnalytics loads, resizes and extracts the pixels.
/// </summary>
public static class ImageFolder
{
    /// <summary>
    /// Lists the images (see <see cref="LoadPaths"/>) and returns views that resize each image to
    /// <paramref name="width"/> × <paramref name="height"/> with <paramref name="channels"/> channels
    /// (1 grey, 3 RGB) into the <c>Image</c> column, beside the string <c>Label</c>.
    /// </summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="path">The root folder (class folders or split folders); null when <see cref="ImageFolderOptions.TrainFolder"/> is set.</param>
    /// <param name="width">Image width after resizing.</param>
    /// <param name="height">Image height after resizing.</param>
    /// <param name="channels">1 (grey) or 3 (RGB).</param>
    /// <param name="options">Splitting and checking; null uses the defaults.</param>
    /// <exception cref="DirectoryNotFoundException">A folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folders are not one of the three layouts, splits have different classes, fewer than two classes hold images; or, in strict mode, a file is not a readable image or a class folder is empty.</exception>
    /// <exception cref="ArgumentException">A size, channel count or fraction is out of range, or the folders are given both or neither way.</exception>
    public static ImageFolderData Load(MLContext ml, string? path, int width, int height, int channels, ImageFolderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        CheckImageShape(width, height, channels);
        var paths = LoadPaths(ml, path, options);
        // The image steps learn nothing from data: fit once, apply to each split.
        var pixels = Preprocessing(ml, width, height, channels).Fit(paths.Train);
        return paths with { Train = pixels.Transform(paths.Train), Validation = pixels.Transform(paths.Validation), Test = pixels.Transform(paths.Test) };
    }

    /// <summary>
    /// Finds the layout, checks the classes and every file, and returns views of two string columns:
    /// <c>ImagePath</c> (the full path) and <c>Label</c> (the class folder's name). Class folders are
    /// split per class by the fractions of <paramref name="options"/> (stratified, seeded); split and
    /// explicit folders are used as given (a missing validation or test folder gives an empty view).
    /// Hidden files and folders and <c>.DS_Store</c>, <c>Thumbs.db</c>, <c>desktop.ini</c> are ignored;
    /// unreadable files and empty class folders are skipped with a warning.
    /// </summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="path">The root folder (class folders or split folders); null when <see cref="ImageFolderOptions.TrainFolder"/> is set.</param>
    /// <param name="options">Splitting and checking; null uses the defaults.</param>
    /// <exception cref="DirectoryNotFoundException">A folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folders are not one of the three layouts, splits have different classes, fewer than two classes hold images; or, in strict mode, a file is not a readable image or a class folder is empty.</exception>
    /// <exception cref="ArgumentException">A fraction is out of range, or the folders are given both or neither way.</exception>
    public static ImageFolderData LoadPaths(MLContext ml, string? path, ImageFolderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        options ??= new ImageFolderOptions();
        if (options.ValidationFraction < 0 || options.TestFraction < 0 || options.ValidationFraction + options.TestFraction >= 1)
            throw new ArgumentException($"ValidationFraction ({options.ValidationFraction}) and TestFraction ({options.TestFraction}) must be >= 0 and leave some training data.", nameof(options));

        var sources = SplitSources.Find(path, options);
        // Folder names are checked before any image is decoded, so a wrong folder fails at once.
        var folderClasses = ClassFolderScan.Subfolders(sources.Train);
        RequireTwoClasses(folderClasses, sources.Train, []);
        foreach (var (_, folder) in sources.Held()) RequireSameClasses(sources.Train, folderClasses, folder, ClassFolderScan.Subfolders(folder));

        var warn = options.Warning ?? (line => Console.Error.WriteLine(line));
        var skipped = new List<(string Path, string Reason)>();
        var trainImages = ClassFolderScan.Images(sources.Train, folderClasses, options, warn, skipped);
        // An empty class folder is not a class: the model could never learn it.
        var classes = folderClasses.Where(c => trainImages[c].Count > 0).ToArray();
        RequireTwoClasses(classes, sources.Train, folderClasses.Except(classes));

        List<ImageFile> train, validation = [], test = [];
        var random = new Random(options.Seed);
        if (sources.Layout == ImageFolderLayout.ClassFolders)
            (train, validation, test) = Split(classes.Select(c => Rows(trainImages, c).ToList()).ToList(), options, random);
        else
        {
            train = Interleave(classes.SelectMany(c => Rows(trainImages, c)), random);
            foreach (var (split, folder) in sources.Held())
            {
                var images = ClassFolderScan.Images(folder, folderClasses, options, warn, skipped);
                if (folderClasses.Except(classes).FirstOrDefault(c => images[c].Count > 0) is { } unlearnable)
                    throw new InvalidDataException($"Class '{unlearnable}' has images in '{folder}' but none readable in '{sources.Train}', so no model can learn it; add training images or remove the class from '{folder}'.");
                (split == "test" ? test : validation).AddRange(classes.SelectMany(c => Rows(images, c)));
            }
        }

        IDataView View(List<ImageFile> rows) => ml.Data.LoadFromEnumerable(rows);
        return new ImageFolderData(View(train), View(validation), View(test), classes, skipped,
            sources.Layout, train.Count, validation.Count, test.Count, sources.Describe(options));
    }

    /// <summary>
    /// The pixel steps that turn an image path column into the toolkit's <c>Image</c> column:
    /// LoadImages → ResizeImages (IsoPad: keep the aspect ratio, pad the rest) → (grey) →
    /// ExtractPixels (planar, scaled to [0, 1]) → drop the intermediate picture. Append it in front of
    /// a trainer so the saved model scores an image path.
    /// </summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="width">Image width after resizing.</param>
    /// <param name="height">Image height after resizing.</param>
    /// <param name="channels">1 (grey) or 3 (RGB).</param>
    /// <param name="inputColumnName">The string column holding each image's path.</param>
    /// <param name="resizing">How the aspect ratio is kept: <c>IsoPad</c> (default) shows the whole picture with
    /// black bars; <c>IsoCrop</c> fills the frame and cuts the longer side's edges, as ImageNet models are evaluated.</param>
    /// <exception cref="ArgumentException">A size or channel count is out of range.</exception>
    public static IEstimator<ITransformer> Preprocessing(MLContext ml, int width, int height, int channels, string inputColumnName = "ImagePath",
        ImageResizingEstimator.ResizingKind resizing = ImageResizingEstimator.ResizingKind.IsoPad)
    {
        ArgumentNullException.ThrowIfNull(ml);
        CheckImageShape(width, height, channels);
        const string picture = "Picture";
        IEstimator<ITransformer> chain = ml.Transforms.LoadImages(picture, imageFolder: null, inputColumnName: inputColumnName)
            .Append(ml.Transforms.ResizeImages(picture, width, height, resizing: resizing));
        if (channels == 1) chain = chain.Append(ml.Transforms.ConvertToGrayscale(picture));
        var colors = channels == 1 ? ImagePixelExtractingEstimator.ColorBits.Red : ImagePixelExtractingEstimator.ColorBits.Rgb;
        return chain
            .Append(ml.Transforms.ExtractPixels(ImageColumns.Image, picture, colors, interleavePixelColors: false, scaleImage: 1f / 255))
            .Append(ml.Transforms.DropColumns(picture));
    }

    static void CheckImageShape(int width, int height, int channels)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"Image size must be positive; it is {width}×{height}.");
        if (channels is not (1 or 3)) throw new ArgumentException($"channels must be 1 (grey) or 3 (RGB); it is {channels}.", nameof(channels));
    }

    /// <summary>A classifier needs two classes; <paramref name="empty"/> are the class folders dropped for holding no images.</summary>
    static void RequireTwoClasses(IReadOnlyList<string> classes, string folder, IEnumerable<string> empty)
    {
        if (classes.Count >= 2) return;
        var emptyNote = empty.Any() ? $" (class folders without readable images: {string.Join(", ", empty.Select(e => $"'{e}'"))})" : "";
        var found = classes.Count == 0 ? "none" : $"only '{classes[0]}'";
        throw new InvalidDataException(
            $"'{folder}' needs at least two class subfolders holding images, and has {found}{emptyNote}; put each class's images in its own subfolder (e.g. {Path.Combine(folder, "cat", "1.jpg")}).");
    }

    /// <summary>Every split must hold the same class folders, or the labels would mean different things.</summary>
    static void RequireSameClasses(string trainFolder, string[] trainClasses, string folder, string[] classes)
    {
        var problems = classes.Except(trainClasses).Select(c => $"class '{c}' is in '{folder}' but missing from '{trainFolder}'")
            .Concat(trainClasses.Except(classes).Select(c => $"class '{c}' is in '{trainFolder}' but missing from '{folder}'"))
            .ToArray();
        if (problems.Length > 0)
            throw new InvalidDataException($"The splits must have the same class folders: {string.Join("; ", problems)}.");
    }

    static IEnumerable<ImageFile> Rows(Dictionary<string, List<string>> images, string label) =>
        images[label].Select(file => new ImageFile { ImagePath = file, Label = label });

    /// <summary>Per class: shuffle with the seed, then cut test, validation and train shares.</summary>
    static (List<ImageFile>, List<ImageFile>, List<ImageFile>) Split(List<List<ImageFile>> byClass, ImageFolderOptions options, Random random)
    {
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
        return (Interleave(train, random), validation, test);
    }

    /// <summary>Shuffles with the seed so that the first rows of a training view are not all one class.</summary>
    static List<ImageFile> Interleave(IEnumerable<ImageFile> rows, Random random) => rows.OrderBy(_ => random.Next()).ToList();

    /// <summary>One listed file.</summary>
    sealed class ImageFile
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }
}
