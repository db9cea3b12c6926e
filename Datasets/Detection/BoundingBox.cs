namespace MLToolkit.Datasets.Detection;

/// <summary>
/// An axis-aligned box in pixel coordinates of its image: (<see cref="XMin"/>, <see cref="YMin"/>) is the top-left
/// corner and (<see cref="XMax"/>, <see cref="YMax"/>) the bottom-right one, continuous (a box over pixels 0…9 runs
/// from 0 to 10), so width is <c>XMax − XMin</c> with no "+1 pixel" term.
/// </summary>
public readonly record struct BoundingBox(float XMin, float YMin, float XMax, float YMax)
{
    /// <summary>Width in pixels.</summary>
    public float Width => XMax - XMin;

    /// <summary>Height in pixels.</summary>
    public float Height => YMax - YMin;

    /// <summary>Area in square pixels (0 for an empty box).</summary>
    public float Area => Math.Max(0, Width) * Math.Max(0, Height);

    /// <summary>Intersection over union with <paramref name="other"/> (0 when they do not overlap).</summary>
    public float IoU(BoundingBox other)
    {
        float width = Math.Min(XMax, other.XMax) - Math.Max(XMin, other.XMin);
        float height = Math.Min(YMax, other.YMax) - Math.Max(YMin, other.YMin);
        if (width <= 0 || height <= 0) return 0;
        float intersection = width * height;
        return intersection / (Area + other.Area - intersection);
    }

    /// <inheritdoc />
    public override string ToString() => $"[{XMin:0.##}, {YMin:0.##}, {XMax:0.##}, {YMax:0.##}]";
}

/// <summary>A labelled object of an image: its class index and its box.</summary>
/// <param name="Label">Class index (0-based, into the dataset's class names).</param>
/// <param name="Box">Where it is.</param>
public sealed record LabeledBox(int Label, BoundingBox Box);

/// <summary>A detection: class index, box and confidence.</summary>
/// <param name="Label">Class index (0-based).</param>
/// <param name="Box">Where the object is predicted.</param>
/// <param name="Score">Confidence in [0, 1].</param>
public sealed record DetectedBox(int Label, BoundingBox Box, float Score);
