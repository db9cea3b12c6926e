using Microsoft.ML;

namespace MLToolkit.Datasets.Images;

/// <summary>Names of the columns that every image dataset of the toolkit produces.</summary>
public static class ImageColumns
{
    /// <summary>The image: a float vector in [0, 1], channel-major (C × H × W).</summary>
    public const string Image = "Image";

    /// <summary>The class label as a <see cref="uint"/> (the digit, or the class index).</summary>
    public const string Label = "Label";

    /// <summary>The column <paramref name="name"/> of <paramref name="schema"/>; <paramref name="role"/> (e.g. "image") names it in the error.</summary>
    /// <exception cref="ArgumentException">The column is missing; the message lists the columns there are.</exception>
    public static DataViewSchema.Column Require(DataViewSchema schema, string name, string role) =>
        schema.GetColumnOrNull(name)
        ?? throw new ArgumentException(
            $"The {role} column '{name}' is not in the data. Columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
}
