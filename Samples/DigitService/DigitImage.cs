using Microsoft.ML.Data;

namespace MLToolkit.Samples.DigitService;

/// <summary>Turns an uploaded PNG or JPEG into the 28×28 grey pixels the model reads.</summary>
public static class DigitImage
{
    /// <summary>Decodes <paramref name="bytes"/> and averages it down (or up) to 28×28 grey values in [0, 1].</summary>
    /// <exception cref="InvalidDataException">The bytes are not a PNG or JPEG image.</exception>
    public static float[] ToPixels(byte[] bytes)
    {
        bool png = bytes.Length > 8 && bytes[0] == 0x89 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G';
        bool jpeg = bytes.Length > 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;
        if (!png && !jpeg) throw new InvalidDataException("The upload is not a PNG or JPEG image.");
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
