using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLToolkit.Datasets.Images;

/// <summary>Builds the toolkit's standard image <see cref="IDataView"/> (columns Image and Label) from raw pixels.</summary>
public static class ImageDataView
{
    /// <summary>
    /// Creates an <see cref="IDataView"/> of <paramref name="labels"/>.Length images whose byte pixels are
    /// scaled to [0, 1]; the Image column's vector type records <paramref name="shape"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The pixel count does not match labels × shape.</exception>
    public static IDataView FromBytes(MLContext ml, byte[] pixels, byte[] labels, ImageShape shape)
    {
        ArgumentNullException.ThrowIfNull(ml);
        if ((long)labels.Length * shape.Size != pixels.Length)
            throw new ArgumentException(
                $"{pixels.Length} pixel bytes do not make {labels.Length} images of {shape} ({(long)labels.Length * shape.Size} bytes).",
                nameof(pixels));

        var rows = new ImageRow[labels.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            var image = new float[shape.Size];
            int offset = i * shape.Size;
            for (int p = 0; p < image.Length; p++)
                image[p] = pixels[offset + p] / 255f;
            rows[i] = new ImageRow { Image = image, Label = labels[i] };
        }

        var schema = SchemaDefinition.Create(typeof(ImageRow));
        schema[ImageColumns.Image].ColumnType = shape.ToColumnType();
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>One row of an image dataset.</summary>
    sealed class ImageRow
    {
        public float[] Image { get; set; } = [];
        public uint Label { get; set; }
    }
}
