namespace MLToolkit.Datasets.Segmentation;

/// <summary>How <see cref="SegmentationFolder"/> reads images and masks.</summary>
public sealed record SegmentationFolderOptions
{
    /// <summary>Images and masks are resized to Size × Size (images bilinear, masks nearest neighbour).</summary>
    public int Size { get; init; } = 128;

    /// <summary>Number of classes (Pascal VOC: 21, background included); a mask value at or above it, other than 255, is an error.</summary>
    public int Classes { get; init; } = 21;

    /// <summary>1 (grey) or 3 (RGB) image channels.</summary>
    public int Channels { get; init; } = 3;
}
