using System.IO.Compression;
using System.Text;

namespace MLToolkit.UnitTests.Datasets;

/// <summary>Writes real 8-bit greyscale PNG files (signature, IHDR, zlib IDAT, IEND, CRCs) for tests.</summary>
public static class PngWriter
{
    static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>Writes a <paramref name="width"/> × <paramref name="height"/> image whose pixel (x, y) is <paramref name="pixel"/>(x, y).</summary>
    public static void Write(string path, int width, int height, Func<int, int, byte> pixel) => Write(path, width, height, pixel, palette: null);

    /// <summary>
    /// Writes an 8-bit palette image (colour type 3, as Pascal VOC's masks): pixel (x, y) holds the index
    /// <paramref name="pixel"/>(x, y) into <paramref name="palette"/>.
    /// </summary>
    public static void WritePalette(string path, int width, int height, Func<int, int, byte> pixel, IReadOnlyList<(byte R, byte G, byte B)> palette) =>
        Write(path, width, height, pixel, palette);

    static void Write(string path, int width, int height, Func<int, int, byte> pixel, IReadOnlyList<(byte R, byte G, byte B)>? palette)
    {
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
            for (int y = 0; y < height; y++)
            {
                zlib.WriteByte(0); // filter: none
                for (int x = 0; x < width; x++) zlib.WriteByte(pixel(x, y));
            }
        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BigEndian(header, 0, (uint)width);
        BigEndian(header, 4, (uint)height);
        header[8] = 8; // bit depth; colour type 0 (grey) or 3 (palette); compression, filter, interlace all 0
        header[9] = (byte)(palette is null ? 0 : 3);
        Chunk(file, "IHDR", header);
        if (palette is not null) Chunk(file, "PLTE", palette.SelectMany(c => new[] { c.R, c.G, c.B }).ToArray());
        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", []);
    }

    static void Chunk(Stream stream, string type, byte[] data)
    {
        var length = new byte[4];
        BigEndian(length, 0, (uint)data.Length);
        stream.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        stream.Write(typed);
        uint crc = 0xFFFFFFFF;
        foreach (var b in typed) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        var crcBytes = new byte[4];
        BigEndian(crcBytes, 0, crc ^ 0xFFFFFFFF);
        stream.Write(crcBytes);
    }

    static void BigEndian(byte[] buffer, int offset, uint value)
    {
        buffer[offset] = (byte)(value >> 24);
        buffer[offset + 1] = (byte)(value >> 16);
        buffer[offset + 2] = (byte)(value >> 8);
        buffer[offset + 3] = (byte)value;
    }
}
