using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Images;

namespace MLToolkit.Datasets.Segmentation;

/// <summary>
/// Images with per-pixel class masks as an <see cref="IDataView"/>: <c>Image</c> (floats in [0, 1], C×H×W
/// recorded on the column) and <c>Mask</c> (one class index per pixel, H×W recorded on the column;
/// <see cref="Ignore"/> marks pixels that count for nothing, as in Pascal VOC).
/// </summary>
public static class SegmentationData
{
    /// <summary>The mask column's name.</summary>
    public const string Mask = "Mask";

    /// <summary>The class index of pixels that are neither trained nor scored (object borders in Pascal VOC).</summary>
    public const uint Ignore = 255;

    /// <summary>
    /// The rows as a data view. Each image holds <paramref name="shape"/>.Size floats and each mask
    /// Height × Width class indices.
    /// </summary>
    /// <exception cref="ArgumentException">An image or a mask has the wrong length.</exception>
    public static IDataView FromArrays(MLContext ml, IReadOnlyList<float[]> images, IReadOnlyList<uint[]> masks, ImageShape shape)
    {
        ArgumentNullException.ThrowIfNull(ml);
        if (images.Count != masks.Count)
            throw new ArgumentException($"{images.Count} images but {masks.Count} masks; every image needs its mask.");
        var rows = new Row[images.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            if (images[i].Length != shape.Size)
                throw new ArgumentException($"Image {i} has {images[i].Length} values; expected {shape.Size} ({shape}).");
            if (masks[i].Length != shape.Height * shape.Width)
                throw new ArgumentException($"Mask {i} has {masks[i].Length} values; expected {shape.Height * shape.Width} ({shape.Height}x{shape.Width}).");
            rows[i] = new Row { Image = images[i], Mask = masks[i] };
        }
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[ImageColumns.Image].ColumnType = shape.ToColumnType();
        schema[Mask].ColumnType = MaskType(shape.Height, shape.Width);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>The type of a mask column of <paramref name="height"/> × <paramref name="width"/> pixels.</summary>
    public static VectorDataViewType MaskType(int height, int width) => new(NumberDataViewType.UInt32, height, width);

    /// <summary>One row: an image and its mask.</summary>
    sealed class Row
    {
        public float[] Image { get; set; } = [];
        public uint[] Mask { get; set; } = [];
    }
}
