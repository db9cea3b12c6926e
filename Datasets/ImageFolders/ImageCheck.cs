using Microsoft.ML.Data;

namespace MLToolkit.Datasets.ImageFolders;

/// <summary>
/// Decides before training whether a file is an image ML.NET can read, so that a stray text file
/// or a truncated JPEG is reported by name instead of failing deep inside the image decoder (which
/// says only "Invalid path") or, worse, training on a half-grey picture.
/// </summary>
public static class ImageCheck
{
    /// <summary>Null when <paramref name="path"/> is a complete, readable PNG, JPEG or BMP; otherwise why not.</summary>
    public static string? Problem(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be opened ({e.Message})";
        }
        bool png = bytes is [0x89, (byte)'P', (byte)'N', (byte)'G', _, _, _, _, ..];
        bool jpeg = bytes is [0xFF, 0xD8, 0xFF, ..];
        bool bmp = bytes is [(byte)'B', (byte)'M', ..];
        if (!png && !jpeg && !bmp) return "not a PNG, JPEG or BMP file";
        if (ImageEnd.Truncation(bytes) is { } cut) return $"the image cannot be decoded: {cut}";
        try
        {
            using var image = MLImage.CreateFromStream(new MemoryStream(bytes, writable: false));
            return image.Width > 0 && image.Height > 0 ? null : "the image has no pixels";
        }
        catch (Exception e)
        {
            return $"the image cannot be decoded ({e.Message})";
        }
    }
}
