using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Images;

namespace MLToolkit.Datasets.ImageFolders;

/// <summary>Writes image rows out as a folder of PNG files, one subfolder per label: the layout <see cref="ImageFolder.Load"/> reads.</summary>
public static class ImageFolderWriter
{
    /// <summary>
    /// Writes up to <paramref name="perClass"/> images of each label of <paramref name="data"/> (columns
    /// Image and Label) to <paramref name="folder"/>/&lt;label&gt;/&lt;n&gt;.png. The folder must not
    /// exist yet or be empty, so nothing already there is overwritten.
    /// </summary>
    /// <returns>The number of files written.</returns>
    /// <exception cref="IOException">The folder exists and is not empty.</exception>
    public static int Write(IDataView data, string folder, int perClass = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new IOException($"'{folder}' is not empty; write images to a new folder so that nothing in it is overwritten.");
        var image = ImageColumns.Require(data.Schema, ImageColumns.Image, "image");
        var label = ImageColumns.Require(data.Schema, ImageColumns.Label, "label");
        var shape = ImageShape.FromColumn(image);
        if (shape.Channels is not (1 or 3)) throw new ArgumentException($"Only 1- or 3-channel images can be written as PNG; the data has {shape.Channels}.");

        var counts = new Dictionary<string, int>();
        int written = 0;
        using var cursor = data.GetRowCursor([image, label]);
        var getImage = cursor.GetGetter<VBuffer<float>>(image);
        var getLabel = LabelText(cursor, label);
        VBuffer<float> pixels = default;
        var rgba = new byte[shape.Height * shape.Width * 4];
        while (cursor.MoveNext())
        {
            string name = getLabel();
            int count = counts.GetValueOrDefault(name);
            if (count >= perClass) continue;
            getImage(ref pixels);
            var values = pixels.DenseValues().ToArray();
            int plane = shape.Height * shape.Width;
            for (int p = 0; p < plane; p++)
            {
                for (int c = 0; c < 3; c++)
                    rgba[4 * p + c] = (byte)Math.Clamp(MathF.Round(values[(shape.Channels == 1 ? 0 : c) * plane + p] * 255), 0, 255);
                rgba[4 * p + 3] = 255;
            }
            var directory = Directory.CreateDirectory(Path.Combine(folder, name)).FullName;
            using var picture = MLImage.CreateFromPixels(shape.Width, shape.Height, MLPixelFormat.Rgba32, rgba);
            picture.Save(Path.Combine(directory, $"{count:D5}.png"));
            counts[name] = count + 1;
            written++;
        }
        return written;
    }

    /// <summary>Reads a label of any common type as text (digits stay "0"…"9").</summary>
    static Func<string> LabelText(DataViewRowCursor cursor, DataViewSchema.Column label)
    {
        if (label.Type == NumberDataViewType.UInt32) { var g = cursor.GetGetter<uint>(label); return () => { uint v = 0; g(ref v); return v.ToString(); }; }
        if (label.Type == NumberDataViewType.Single) { var g = cursor.GetGetter<float>(label); return () => { float v = 0; g(ref v); return v.ToString(System.Globalization.CultureInfo.InvariantCulture); }; }
        if (label.Type is TextDataViewType) { var g = cursor.GetGetter<ReadOnlyMemory<char>>(label); return () => { ReadOnlyMemory<char> v = default; g(ref v); return v.ToString(); }; }
        throw new ArgumentException($"Label column has type {label.Type}; write images from data whose labels are uint, float or text.");
    }
}
