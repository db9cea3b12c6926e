using Microsoft.ML.Data;

namespace MLToolkit.Datasets.ImageFolders;

/// <summary>
/// Decides before training whether a file is an image ML.NET can read, so that a stray text file
/// or a truncated JPEG is reported by name instead of failing deep inside the image decoder.
/// </summary>
static class ImageCheck
{
    /// <summary>Null when <paramref name="path"/> is a readable PNG, JPEG or BMP; otherwise why not.</summary>
    public static string? Problem(string path)
    {
        byte[] head = new byte[8];
        int read;
        try
        {
            using var stream = File.OpenRead(path);
            read = stream.Read(head, 0, head.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be opened ({e.Message})";
        }
        bool png = read >= 8 && head[0] == 0x89 && head[1] == (byte)'P' && head[2] == (byte)'N' && head[3] == (byte)'G';
        bool jpeg = read >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF;
        bool bmp = read >= 2 && head[0] == (byte)'B' && head[1] == (byte)'M';
        if (!png && !jpeg && !bmp) return "not a PNG, JPEG or BMP file";
        try
        {
            using var image = MLImage.CreateFromFile(path);
            return image.Width > 0 && image.Height > 0 ? null : "the image has no pixels";
        }
        catch (Exception e)
        {
            return $"the image cannot be decoded ({e.Message})";
        }
    }
}
