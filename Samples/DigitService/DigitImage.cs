using Microsoft.ML.Data;

namespace MLToolkit.Samples.DigitService;

/// <summary>An upload whose header declares more pixels than <see cref="DigitImage.MaxPixels"/>; refused before decoding.</summary>
public sealed class ImageTooLargeException(string message) : Exception(message);

/// <summary>Turns an uploaded PNG or JPEG into the 28×28 grey pixels the model reads.</summary>
public static class DigitImage
{
    /// <summary>
    /// The most pixels an upload may declare (4096×4096). A 389 KB PNG can declare 20000×20000 pixels and
    /// decode to 1.6 GB: the size is read from the header and checked before anything is decoded.
    /// </summary>
    public const long MaxPixels = 4096L * 4096;

    /// <summary>Width and height as the PNG (IHDR) or JPEG (SOFn) header declares them, or null where the header does not say.</summary>
    public static (int Width, int Height)? DeclaredSize(byte[] bytes)
    {
        static int BigEndian(byte[] b, int at, int count)
        {
            int value = 0;
            for (int i = 0; i < count; i++) value = (value << 8) | b[at + i];
            return value;
        }
        if (bytes.Length >= 24 && bytes[0] == 0x89 && bytes[12] == (byte)'I' && bytes[13] == (byte)'H' && bytes[14] == (byte)'D' && bytes[15] == (byte)'R')
            return (BigEndian(bytes, 16, 4), BigEndian(bytes, 20, 4));
        // JPEG: walk the marker segments to the first start-of-frame (C0–CF except C4 DHT, C8, CC DAC).
        for (int at = 2; at + 9 < bytes.Length;)
        {
            if (bytes[at] != 0xFF) return null;
            byte marker = bytes[at + 1];
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                return (BigEndian(bytes, at + 7, 2), BigEndian(bytes, at + 5, 2));
            at += 2 + BigEndian(bytes, at + 2, 2);
        }
        return null;
    }

    /// <summary>Decodes <paramref name="bytes"/> and averages it down (or up) to 28×28 grey values in [0, 1].</summary>
    /// <exception cref="InvalidDataException">The bytes are not a PNG or JPEG image.</exception>
    public static float[] ToPixels(byte[] bytes)
    {
        bool png = bytes.Length > 8 && bytes[0] == 0x89 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G';
        bool jpeg = bytes.Length > 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;
        if (!png && !jpeg) throw new InvalidDataException("The upload is not a PNG or JPEG image.");
        if (DeclaredSize(bytes) is { } size && (long)size.Width * size.Height > MaxPixels)
            throw new ImageTooLargeException($"The image declares {size.Width}×{size.Height} pixels; at most {MaxPixels:N0} pixels (4096×4096) are accepted.");
        MLImage image;
        try { image = MLImage.CreateFromStream(new MemoryStream(bytes)); }
        catch (Exception e) { throw new InvalidDataException($"The image cannot be decoded: {e.Message}"); }
        using (image)
        {
            var data = image.Pixels;
            int width = image.Width, height = image.Height;
            // 4 bytes per pixel (BGRA or RGBA): grey is the mean of the three colour bytes either way.
            var pixels = new float[28 * 28];
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    int x0 = x * width / 28, x1 = Math.Max(x0 + 1, (x + 1) * width / 28);
                    int y0 = y * height / 28, y1 = Math.Max(y0 + 1, (y + 1) * height / 28);
                    double sum = 0;
                    for (int sy = y0; sy < y1; sy++)
                        for (int sx = x0; sx < x1; sx++)
                        {
                            int p = 4 * (sy * width + sx);
                            sum += (data[p] + data[p + 1] + data[p + 2]) / 3.0;
                        }
                    pixels[y * 28 + x] = (float)(sum / ((x1 - x0) * (y1 - y0)) / 255);
                }
            return pixels;
        }
    }
}
