namespace MLToolkit.Datasets.Images;

/// <summary>Names of the columns that every image dataset of the toolkit produces.</summary>
public static class ImageColumns
{
    /// <summary>The image: a float vector in [0, 1], channel-major (C × H × W).</summary>
    public const string Image = "Image";

    /// <summary>The class label as a <see cref="uint"/> (the digit, or the class index).</summary>
    public const string Label = "Label";
}
