using System.Globalization;
using Microsoft.ML.Data;

namespace MLToolkit.Datasets.Detection;

/// <summary>
/// YOLO text labels: <c>images/</c> and <c>labels/</c> side by side (an image <c>a.jpg</c> is described by
/// <c>labels/a.txt</c>, one line per box: <c>class x_centre y_centre width height</c>, each coordinate a fraction
/// of the image's size), and <c>classes.txt</c> (one name per line) in the root. An image without a label file
/// has no objects; a label file without its image is an error. Image sizes are read from the image files.
/// </summary>
public static class YoloReader
{
    static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp"];

    /// <summary>Reads the <c>images/</c>, <c>labels/</c> and <c>classes.txt</c> of <paramref name="root"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">A folder is missing.</exception>
    /// <exception cref="FileNotFoundException">classes.txt, or a label file's image, is missing.</exception>
    /// <exception cref="InvalidDataException">A malformed line, an unknown class, or a box empty or outside its image.</exception>
    public static DetectionDataset Read(string root)
    {
        string images = Path.Combine(root, "images"), labels = Path.Combine(root, "labels"), classesFile = Path.Combine(root, "classes.txt");
        if (!Directory.Exists(images)) throw new DirectoryNotFoundException($"'{root}' has no images/ folder: it is not in the YOLO layout.");
        if (!File.Exists(classesFile)) throw new FileNotFoundException($"'{classesFile}' does not exist: YOLO labels need the class names, one per line.", classesFile);
        var classes = File.ReadAllLines(classesFile).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        var imageFiles = Directory.GetFiles(images).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToArray();
        var byName = imageFiles.ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => f);
        if (Directory.Exists(labels))
            foreach (var label in Directory.GetFiles(labels, "*.txt"))
                if (!byName.ContainsKey(Path.GetFileNameWithoutExtension(label)))
                    throw new FileNotFoundException($"{label}: its image ({Path.GetFileNameWithoutExtension(label)} with {string.Join(", ", Extensions)}) is not in '{images}'.");
        var samples = imageFiles.Select(image =>
        {
            var (width, height) = SizeOf(image);
            string labelFile = Path.Combine(labels, Path.GetFileNameWithoutExtension(image) + ".txt");
            var objects = File.Exists(labelFile) ? Parse(labelFile, classes, width, height) : [];
            return new DetectionSample(image, width, height, objects);
        }).ToArray();
        return new DetectionDataset(classes, samples);
    }

    static (int Width, int Height) SizeOf(string image)
    {
        try
        {
            using var picture = MLImage.CreateFromFile(image);
            return (picture.Width, picture.Height);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            throw new InvalidDataException($"{image} is not a readable image: {e.Message}", e);
        }
    }

    static IReadOnlyList<LabeledBox> Parse(string file, string[] classes, int width, int height)
    {
        var boxes = new List<LabeledBox>();
        int number = 0;
        foreach (var line in File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            number++;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var values = parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN).ToArray();
            if (parts.Length != 5 || values.Any(double.IsNaN))
                throw new InvalidDataException($"{file}: line {number} '{line}' is not 'class x_centre y_centre width height'.");
            if (values[0] != Math.Floor(values[0]) || values[0] < 0 || values[0] >= classes.Length)
                throw new InvalidDataException($"{file}: box {number} has class {parts[0]}; classes.txt names {classes.Length} classes (0 to {classes.Length - 1}).");
            double cx = values[1] * width, cy = values[2] * height, w = values[3] * width, h = values[4] * height;
            var box = new BoundingBox((float)(cx - w / 2), (float)(cy - h / 2), (float)(cx + w / 2), (float)(cy + h / 2));
            boxes.Add(new LabeledBox((int)values[0], BoxCheck.Checked(file, number, box, width, height)));
        }
        return boxes;
    }
}
