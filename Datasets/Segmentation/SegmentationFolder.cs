using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Images;

namespace MLToolkit.Datasets.Segmentation;

/// <summary>
/// Reads a folder of images and masks, for semantic segmentation of the user's own pictures, in one of
/// two layouts: Pascal VOC (<c>JPEGImages/</c>, <c>SegmentationClass/</c>, and the lists in
/// <c>ImageSets/Segmentation/train.txt</c> and <c>val.txt</c>), or <c>images/</c> beside <c>masks/</c>, where
/// the mask of <c>images/x.jpg</c> is <c>masks/x.png</c>. Mask PNGs hold class indices either as grey
/// values or through a palette (VOC's colour map); 255 means "ignore". Masks are resized with nearest
/// neighbour only: an interpolated class index would be a different class.
/// </summary>
public static class SegmentationFolder
{
    /// <summary>The splits found in <paramref name="root"/>: VOC's train and val lists, or all of <c>images/</c> as Train (Validation null).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">Neither layout, a mask missing or of another size than its image, a class out of range, an unknown palette colour: each naming the file.</exception>
    public static (IDataView Train, IDataView? Validation) Load(MLContext ml, string root, SegmentationFolderOptions? options = null)
    {
        options ??= new SegmentationFolderOptions();
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Segmentation folder '{Path.GetFullPath(root)}' does not exist.");
        var shape = new ImageShape(options.Channels, options.Size, options.Size);
        var voc = Path.Combine(root, "JPEGImages");
        if (Directory.Exists(voc))
        {
            var lists = Path.Combine(root, "ImageSets", "Segmentation");
            IDataView Split(string name)
            {
                var list = Path.Combine(lists, name + ".txt");
                if (!File.Exists(list)) throw new InvalidDataException($"Pascal VOC layout: the list '{list}' is missing.");
                var ids = File.ReadAllLines(list).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
                return Read(ml, ids.Select(id => (Path.Combine(voc, id + ".jpg"), Path.Combine(root, "SegmentationClass", id + ".png"))), shape, options.Classes);
            }
            return (Split("train"), File.Exists(Path.Combine(lists, "val.txt")) ? Split("val") : null);
        }
        var images = Path.Combine(root, "images");
        if (Directory.Exists(images) && Directory.Exists(Path.Combine(root, "masks")))
        {
            var pairs = Directory.GetFiles(images).Order(StringComparer.Ordinal)
                .Select(image => (image, Path.Combine(root, "masks", Path.GetFileNameWithoutExtension(image) + ".png")));
            return (Read(ml, pairs, shape, options.Classes), null);
        }
        throw new InvalidDataException(
            $"'{root}' is not a segmentation folder. Layouts: Pascal VOC (JPEGImages/, SegmentationClass/, ImageSets/Segmentation/train.txt and val.txt), " +
            "or images/ beside masks/ (the mask of images/x.jpg is masks/x.png).");
    }

    static IDataView Read(MLContext ml, IEnumerable<(string Image, string Mask)> pairs, ImageShape shape, int classes)
    {
        var images = new List<float[]>();
        var masks = new List<uint[]>();
        foreach (var (imagePath, maskPath) in pairs)
        {
            if (!File.Exists(imagePath)) throw new InvalidDataException($"Image '{imagePath}' is listed but missing.");
            if (!File.Exists(maskPath)) throw new InvalidDataException($"Image '{imagePath}' has no mask: '{maskPath}' is missing.");
            var (pixels, width, height) = Decode(imagePath);
            var (maskPixels, maskWidth, maskHeight) = Decode(maskPath);
            if (maskWidth != width || maskHeight != height)
                throw new InvalidDataException($"Mask '{maskPath}' is {maskWidth}x{maskHeight} pixels but its image '{imagePath}' is {width}x{height}; they must match.");
            images.Add(ResizeImage(pixels, width, height, shape));
            masks.Add(ResizeMask(Indices(maskPixels, width, maskPath, classes), width, height, shape.Width, shape.Height));
        }
        if (images.Count == 0) throw new InvalidDataException("The segmentation folder holds no images.");
        return SegmentationData.FromArrays(ml, images, masks, shape);
    }

    /// <summary>The file's pixels as RGBA bytes.</summary>
    static (byte[] Rgba, int Width, int Height) Decode(string path)
    {
        MLImage image;
        try { image = MLImage.CreateFromFile(path); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}' cannot be read as an image: {e.Message}", e);
        }
        using (image)
        {
            var rgba = image.Pixels.ToArray();
            if (image.PixelFormat == MLPixelFormat.Bgra32)
                for (int p = 0; p < rgba.Length; p += 4) (rgba[p], rgba[p + 2]) = (rgba[p + 2], rgba[p]);
            return (rgba, image.Width, image.Height);
        }
    }

    /// <summary>
    /// Class indices of a decoded mask: grey values are the indices themselves; coloured pixels are read
    /// through the VOC palette.
    /// </summary>
    internal static uint[] Indices(byte[] rgba, int width, string path, int classes)
    {
        var indices = new uint[rgba.Length / 4];
        for (int p = 0; p < indices.Length; p++)
        {
            byte r = rgba[4 * p], g = rgba[4 * p + 1], b = rgba[4 * p + 2];
            uint index = r == g && g == b ? r
                : MaskPalette.IndexOf(r, g, b) ?? throw new InvalidDataException(
                    $"Mask '{path}' has the colour ({r}, {g}, {b}) at pixel ({p % width}, {p / width}), which is no class of the VOC palette.");
            if (index >= classes && index != SegmentationData.Ignore)
                throw new InvalidDataException($"Mask '{path}' has class {index} at pixel ({p % width}, {p / width}); the classes are 0–{classes - 1} (and 255 for ignore).");
            indices[p] = index;
        }
        return indices;
    }

    /// <summary>Nearest-neighbour resize of a class mask: every output pixel takes one source pixel's class.</summary>
    internal static uint[] ResizeMask(uint[] mask, int width, int height, int toWidth, int toHeight)
    {
        var result = new uint[toWidth * toHeight];
        for (int y = 0; y < toHeight; y++)
        {
            int sy = Math.Min(height - 1, (int)((y + 0.5) * height / toHeight));
            for (int x = 0; x < toWidth; x++)
                result[y * toWidth + x] = mask[sy * width + Math.Min(width - 1, (int)((x + 0.5) * width / toWidth))];
        }
        return result;
    }

    /// <summary>Bilinear resize of RGBA bytes into C planes of floats in [0, 1] (grey: the mean of R, G and B).</summary>
    static float[] ResizeImage(byte[] rgba, int width, int height, ImageShape shape)
    {
        int plane = shape.Height * shape.Width;
        var result = new float[shape.Size];
        double scaleY = (double)height / shape.Height, scaleX = (double)width / shape.Width;
        for (int y = 0; y < shape.Height; y++)
        {
            double sy = Math.Clamp((y + 0.5) * scaleY - 0.5, 0, height - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, height - 1);
            double fy = sy - y0;
            for (int x = 0; x < shape.Width; x++)
            {
                double sx = Math.Clamp((x + 0.5) * scaleX - 0.5, 0, width - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, width - 1);
                double fx = sx - x0;
                double Sample(int c) =>
                    ((rgba[4 * (y0 * width + x0) + c] * (1 - fx) + rgba[4 * (y0 * width + x1) + c] * fx) * (1 - fy)
                     + (rgba[4 * (y1 * width + x0) + c] * (1 - fx) + rgba[4 * (y1 * width + x1) + c] * fx) * fy) / 255;
                if (shape.Channels == 1) result[y * shape.Width + x] = (float)((Sample(0) + Sample(1) + Sample(2)) / 3);
                else for (int c = 0; c < 3; c++) result[c * plane + y * shape.Width + x] = (float)Sample(c);
            }
        }
        return result;
    }
}
