using MLToolkit.Datasets.Detection;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Detection;

/// <summary>
/// Augmentation that moves the boxes with the image, for detector training, in this order: a horizontal flip (off
/// by default: it turns digits and text into other shapes), a zoom about the centre (bilinear; zooming in crops the
/// border, zooming out leaves a black frame) and a shift by whole pixels (uncovered pixels are black). Boxes move the
/// same way and are clipped to the image; a box whose centre leaves the image is dropped. Shifts by whole pixels keep
/// every pixel's value, so a box's edge stays on the ink it was drawn around.
/// </summary>
/// <param name="FlipProbability">Chance of a horizontal flip per image.</param>
/// <param name="MaxShift">Largest shift per axis as a fraction of the image side.</param>
/// <param name="MaxZoom">Largest change of scale: the factor is drawn from [1 − MaxZoom, 1 + MaxZoom] (0: no zoom).</param>
public sealed record BoxAugmentation(double FlipProbability = 0, double MaxShift = 0.1, double MaxZoom = 0)
{
    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (FlipProbability is < 0 or > 1) throw new ArgumentException($"BoxAugmentation.FlipProbability must be in [0, 1]; it is {FlipProbability}.");
        if (MaxShift is < 0 or > 0.5) throw new ArgumentException($"BoxAugmentation.MaxShift must be in [0, 0.5]; it is {MaxShift}.");
        if (MaxZoom is < 0 or > 0.5) throw new ArgumentException($"BoxAugmentation.MaxZoom must be in [0, 0.5]; it is {MaxZoom}.");
    }

    /// <summary>Where the zoomed image (<paramref name="zoomed"/> pixels) starts relative to the original (<paramref name="size"/>): centred, whole pixels.</summary>
    static int Offset(int zoomed, int size) => zoomed >= size ? (zoomed - size) / 2 : -((size - zoomed) / 2);

    /// <summary>
    /// One image's move: flip first, then zoom to <paramref name="zoomedWidth"/>×<paramref name="zoomedHeight"/> (0: none) about the
    /// centre, then shift by (<paramref name="dx"/>, <paramref name="dy"/>) pixels.
    /// </summary>
    internal static IReadOnlyList<LabeledBox> Move(IReadOnlyList<LabeledBox> objects, int width, int height, bool flip, int dx, int dy,
        int zoomedWidth = 0, int zoomedHeight = 0)
    {
        var moved = new List<LabeledBox>();
        float sx = zoomedWidth > 0 ? (float)zoomedWidth / width : 1, sy = zoomedHeight > 0 ? (float)zoomedHeight / height : 1;
        int ox = zoomedWidth > 0 ? Offset(zoomedWidth, width) : 0, oy = zoomedHeight > 0 ? Offset(zoomedHeight, height) : 0;
        foreach (var o in objects)
        {
            var b = o.Box;
            if (flip) b = new BoundingBox(width - b.XMax, b.YMin, width - b.XMin, b.YMax);
            b = new BoundingBox(b.XMin * sx - ox, b.YMin * sy - oy, b.XMax * sx - ox, b.YMax * sy - oy);
            b = new BoundingBox(b.XMin + dx, b.YMin + dy, b.XMax + dx, b.YMax + dy);
            float cx = (b.XMin + b.XMax) / 2, cy = (b.YMin + b.YMax) / 2;
            if (cx < 0 || cy < 0 || cx >= width || cy >= height) continue;
            moved.Add(o with { Box = new BoundingBox(Math.Max(0, b.XMin), Math.Max(0, b.YMin), Math.Min(width, b.XMax), Math.Min(height, b.YMax)) });
        }
        return moved;
    }

    /// <summary>The image moved as <see cref="Move"/> moves its boxes (C × H × W).</summary>
    internal static Tensor MoveImage(Tensor image, bool flip, int dx, int dy, int zoomedWidth = 0, int zoomedHeight = 0)
    {
        var x = flip ? image.flip(2) : image;
        long height = x.shape[1], width = x.shape[2];
        if (zoomedWidth > 0 && zoomedHeight > 0 && (zoomedWidth != width || zoomedHeight != height))
        {
            var zoomed = nn.functional.interpolate(x.unsqueeze(0), [zoomedHeight, zoomedWidth], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(0);
            // Centred: crop a zoomed-in image, frame a zoomed-out one with black.
            int ox = Offset(zoomedWidth, (int)width), oy = Offset(zoomedHeight, (int)height);
            var framed = nn.functional.pad(zoomed, [Math.Max(-ox, 0), Math.Max((int)width - zoomedWidth + ox, 0), Math.Max(-oy, 0), Math.Max((int)height - zoomedHeight + oy, 0)]);
            x = framed.narrow(1, Math.Max(oy, 0), height).narrow(2, Math.Max(ox, 0), width);
        }
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
        using var zooms = torch.rand(new[] { n }, generator: draws);
        var flip = flips.data<float>().ToArray();
        var shift = shifts.data<float>().ToArray();
        var zoom = zooms.data<float>().ToArray();
        var boxes = GridTargets.Boxes(targets, stride);
        var movedImages = new Tensor[n];
        var movedTargets = new float[n][];
        for (int i = 0; i < n; i++)
        {
            bool f = flip[i] < FlipProbability;
            int dx = (int)Math.Round((shift[2 * i] * 2 - 1) * MaxShift * width), dy = (int)Math.Round((shift[2 * i + 1] * 2 - 1) * MaxShift * height);
            double scale = 1 + (zoom[i] * 2 - 1) * MaxZoom;
            int zw = MaxZoom > 0 ? (int)Math.Round(width * scale) : 0, zh = MaxZoom > 0 ? (int)Math.Round(height * scale) : 0;
            movedImages[i] = MoveImage(images[i], f, dx, dy, zw, zh);
            movedTargets[i] = GridTargets.Encode(Move(boxes[i], width, height, f, dx, dy, zw, zh), width, height, stride);
        }
        return (torch.stack(movedImages), torch.tensor(movedTargets.SelectMany(t => t).ToArray(), targets.shape).to(targets.device));
    }
}
