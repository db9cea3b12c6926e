namespace MLToolkit.Datasets.Detection;

/// <summary>An image file with its labelled boxes, as an annotation format describes it.</summary>
/// <param name="ImagePath">The image file.</param>
/// <param name="Width">Image width in pixels (from the annotation, or the file when the format does not say).</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Objects">The boxes, in pixel coordinates (see <see cref="BoundingBox"/>), with class indices into the dataset's classes.</param>
public sealed record DetectionSample(string ImagePath, int Width, int Height, IReadOnlyList<LabeledBox> Objects);

/// <summary>Annotated images read from one of the annotation formats, with their class names.</summary>
/// <param name="Classes">Class names in index order.</param>
/// <param name="Samples">The images and their boxes.</param>
public sealed record DetectionDataset(IReadOnlyList<string> Classes, IReadOnlyList<DetectionSample> Samples);

/// <summary>Checks that every format's boxes make sense, with messages naming the file and the box.</summary>
internal static class BoxCheck
{
    /// <summary>The box, or an error naming <paramref name="file"/> and box <paramref name="number"/> (1-based) when it is empty or leaves the image.</summary>
    /// <exception cref="InvalidDataException">Zero or negative size, or a corner outside the image.</exception>
    public static BoundingBox Checked(string file, int number, BoundingBox box, int width, int height)
    {
        string Where() => $"{file}: box {number} {box}";
        if (!(box.Width > 0) || !(box.Height > 0))
            throw new InvalidDataException($"{Where()} has zero or negative size ({box.Width:0.##} × {box.Height:0.##}).");
        // Half a pixel of slack: annotation tools round edges outwards.
        if (box.XMin < -0.5f || box.YMin < -0.5f || box.XMax > width + 0.5f || box.YMax > height + 0.5f)
            throw new InvalidDataException($"{Where()} lies outside the {width}×{height} image.");
        return new BoundingBox(Math.Max(0, box.XMin), Math.Max(0, box.YMin), Math.Min(width, box.XMax), Math.Min(height, box.YMax));
    }

    /// <summary>The image file <paramref name="name"/> in <paramref name="folder"/>, or an error naming the annotation that needs it.</summary>
    /// <exception cref="FileNotFoundException">The image does not exist.</exception>
    public static string Image(string annotation, string folder, string name)
    {
        string path = Path.Combine(folder, name);
        return File.Exists(path) ? path
            : throw new FileNotFoundException($"{annotation}: its image '{path}' does not exist.", path);
    }
}
