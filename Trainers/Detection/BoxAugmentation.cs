using MLToolkit.Datasets.Detection;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Detection;

/// <summary>
/// Augmentation that moves the boxes with the image, for detector training: a horizontal flip (off by default:
/// it turns digits and text into other shapes) and a shift by whole pixels (the image moves, uncovered pixels are
/// black, boxes move the same way and are clipped to the image; a box whose centre leaves the image is dropped).
/// Whole-pixel moves keep every pixel's value, so a box's edge stays on the ink it was drawn around.
/// </summary>
/// <param name="FlipProbability">Chance of a horizontal flip per image.</param>
/// <param name="MaxShift">Largest shift per axis as a fraction of the image side.</param>
public sealed record BoxAugmentation(double FlipProbability = 0, double MaxShift = 0.1)
{
    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (FlipProbability is < 0 or > 1) throw new ArgumentException($"BoxAugmentation.FlipProbability must be in [0, 1]; it is {FlipProbability}.");
        if (MaxShift is < 0 or > 0.5) throw new ArgumentException($"BoxAugmentation.MaxShift must be in [0, 0.5]; it is {MaxShift}.");
    }

    /// <summary>One image's move: flip first, then shift by (<paramref name="dx"/>, <paramref name="dy"/>) pixels.</summary>
    internal static IReadOnlyList<LabeledBox> Move(IReadOnlyList<LabeledBox> objects, int width, int height, bool flip, int dx, int dy)
    {
        var moved = new List<LabeledBox>();
        foreach (var o in objects)
        {
            var b = o.Box;
            if (flip) b = new BoundingBox(width - b.XMax, b.YMin, width - b.XMin, b.YMax);
            b = new BoundingBox(b.XMin + dx, b.YMin + dy, b.XMax + dx, b.YMax + dy);
            float cx = (b.XMin + b.XMax) / 2, cy = (b.YMin + b.YMax) / 2;
            if (cx < 0 || cy < 0 || cx >= width || cy >= height) continue;
            moved.Add(o with { Box = new BoundingBox(Math.Max(0, b.XMin), Math.Max(0, b.YMin), Math.Min(width, b.XMax), Math.Min(height, b.YMax)) });
        }
        return moved;
    }

    /// <summary>The image moved as <see cref="Move"/> moves its boxes (C × H × W).</summary>
    internal static Tensor MoveImage(Tensor image, bool flip, int dx, int dy)
    {
        var x = flip ? image.flip(2) : image;
        long height = x.shape[1], width = x.shape[2];
        // Pad by the shift on the side it moves away from, then cut the image's size from the other side.
        var padded = nn.functional.pad(x, [Math.Max(dx, 0), Math.Max(-dx, 0), Math.Max(dy, 0), Math.Max(-dy, 0)]);
        return padded.narrow(1, Math.Max(-dy, 0), height).narrow(2, Math.Max(-dx, 0), width);
    }

    /// <summary>A batch and its grid targets moved image by image with draws from <paramref name="draws"/>.</summary>
    internal (Tensor Images, Tensor Targets) Apply(Tensor images, Tensor targets, int stride, Generator draws)
    {
        long n = images.shape[0];
        int height = (int)images.shape[2], width = (int)images.shape[3];
        using var flips = torch.rand(new[] { n }, generator: draws);
        using var shifts = torch.rand(new[] { n, 2L }, generator: draws);
        var flip = flips.data<float>().ToArray();
        var shift = shifts.data<float>().ToArray();
        var boxes = GridTargets.Boxes(targets, stride);
        var movedImages = new Tensor[n];
        var movedTargets = new float[n][];
        for (int i = 0; i < n; i++)
        {
            bool f = flip[i] < FlipProbability;
            int dx = (int)Math.Round((shift[2 * i] * 2 - 1) * MaxShift * width), dy = (int)Math.Round((shift[2 * i + 1] * 2 - 1) * MaxShift * height);
            movedImages[i] = MoveImage(images[i], f, dx, dy);
            movedTargets[i] = GridTargets.Encode(Move(boxes[i], width, height, f, dx, dy), width, height, stride);
        }
        return (torch.stack(movedImages), torch.tensor(movedTargets.SelectMany(t => t).ToArray(), targets.shape).to(targets.device));
    }
}
