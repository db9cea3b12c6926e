using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLToolkit.Datasets.Images;

/// <summary>The shape of one image: channels × height × width, the layout of an image vector column.</summary>
/// <param name="Channels">Number of channels (1 for grey, 3 for colour).</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Width">Width in pixels.</param>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Number of values in one image.</summary>
    public int Size => Channels * Height * Width;

    /// <inheritdoc />
    public override string ToString() => $"{Channels}x{Height}x{Width}";

    /// <summary>Parses "CxHxW" (as <see cref="ToString"/> writes it), e.g. "3x224x224".</summary>
    /// <exception cref="FormatException">Not three positive integers separated by 'x'.</exception>
    public static ImageShape Parse(string text)
    {
        var parts = (text ?? "").Split('x', 'X', '×');
        if (parts.Length == 3 && parts.All(p => int.TryParse(p, out int v) && v > 0))
            return new ImageShape(int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]));
        throw new FormatException($"'{text}' is not an image shape; write channels x height x width, e.g. 3x224x224.");
    }

    /// <summary>The vector type of an image column of this shape; its dimensions record the shape.</summary>
    public VectorDataViewType ToColumnType() => new(NumberDataViewType.Single, Channels, Height, Width);

    /// <summary>
    /// Reads the shape recorded on an image column (the dimensions of its vector type). A flat
    /// vector whose size is a square is taken as one grey channel.
    /// </summary>
    /// <exception cref="ArgumentException">The column is not a float vector, or its shape cannot be known.</exception>
    public static ImageShape FromColumn(DataViewSchema.Column column)
    {
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType n } vector || n != NumberDataViewType.Single)
            throw new ArgumentException(
                $"Column '{column.Name}' has type {column.Type}; an image column must be a vector of Single (float).");
        var dims = vector.Dimensions;
        if (dims.Length == 3 && dims.All(d => d > 0))
            return new ImageShape(dims[0], dims[1], dims[2]);
        if (dims.Length == 2 && dims.All(d => d > 0))
            return new ImageShape(1, dims[0], dims[1]);
        int size = vector.Size;
        int side = (int)Math.Round(Math.Sqrt(size));
        if (size > 0 && side * side == size)
            return new ImageShape(1, side, side);
        throw new ArgumentException(
            $"Column '{column.Name}' is a vector of {size} floats without a C x H x W shape; " +
            "give the image shape in the options or record it in the column's vector dimensions.");
    }
}
