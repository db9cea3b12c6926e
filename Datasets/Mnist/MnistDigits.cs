using MLToolkit.Datasets.Idx;

namespace MLToolkit.Datasets.Mnist;

/// <summary>MNIST digits as scene generators use them: one split's images and labels, and a digit scaled to any size.</summary>
internal static class MnistDigits
{
    /// <summary>The images and labels of <paramref name="split"/> ("train" or "t10k") in <paramref name="directory"/> (gzip or raw IDX files).</summary>
    /// <exception cref="FileNotFoundException">A file of the split is missing.</exception>
    public static (IdxImages Images, byte[] Labels) Load(string directory, string split)
    {
        string Path(string name) => new[] { name + ".gz", name }.Select(n => System.IO.Path.Combine(directory, n)).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"IDX file not found: '{System.IO.Path.Combine(directory, name)}.gz'.");
        return (IdxReader.ReadImages(Path($"{split}-images-idx3-ubyte")), IdxReader.ReadLabels(Path($"{split}-labels-idx1-ubyte")));
    }

    /// <summary>Digit <paramref name="index"/> of <paramref name="images"/> resized bilinearly to <paramref name="to"/>×<paramref name="to"/>, as floats in [0, 1].</summary>
    public static float[] Scaled(IdxImages images, int index, int to)
    {
        int from = images.Rows;
        var pixels = images.Pixels.AsSpan(index * from * from, from * from);
        var result = new float[to * to];
        double scale = (double)from / to;
        for (int y = 0; y < to; y++)
            for (int x = 0; x < to; x++)
            {
                // Pixel centres aligned (as torch's align_corners=False).
                double sy = Math.Clamp((y + 0.5) * scale - 0.5, 0, from - 1), sx = Math.Clamp((x + 0.5) * scale - 0.5, 0, from - 1);
                int y0 = (int)sy, x0 = (int)sx, y1 = Math.Min(y0 + 1, from - 1), x1 = Math.Min(x0 + 1, from - 1);
                double fy = sy - y0, fx = sx - x0;
                double top = pixels[y0 * from + x0] * (1 - fx) + pixels[y0 * from + x1] * fx;
                double bottom = pixels[y1 * from + x0] * (1 - fx) + pixels[y1 * from + x1] * fx;
                result[y * to + x] = (float)((top * (1 - fy) + bottom * fy) / 255);
            }
        return result;
    }
}
