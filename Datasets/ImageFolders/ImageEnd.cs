using System.Buffers.Binary;

namespace MLToolkit.Datasets.ImageFolders;

/// <summary>
/// Whether an image file reaches its format's end. The decoder under ML.NET (SkiaSharp) accepts a
/// truncated JPEG or PNG and fills the missing rows with grey, so a half-copied photo would train
/// silently; walking the file's segments to the end marker catches it without decoding twice.
/// </summary>
static class ImageEnd
{
    /// <summary>Null when the file is complete or its structure is not one this walk understands; otherwise why it is cut short.</summary>
    public static string? Truncation(byte[] bytes) => bytes switch
    {
        [0xFF, 0xD8, ..] => Jpeg(bytes),
        [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => Png(bytes),
        [(byte)'B', (byte)'M', ..] => Bmp(bytes),
        _ => null,
    };

    /// <summary>Marker segments carry their length; entropy-coded data after a start-of-scan runs to the next real marker; the file ends at FF D9.</summary>
    static string? Jpeg(byte[] b)
    {
        const string cut = "the file ends before the JPEG end-of-image marker (FF D9); it is truncated";
        int i = 2;
        while (true)
        {
            if (i >= b.Length) return cut;
            // Anything but a marker here means a layout this walk does not know; leave it to the decoder.
            if (b[i] != 0xFF) return null;
            while (i < b.Length && b[i] == 0xFF) i++; // fill bytes
            if (i >= b.Length) return cut;
            byte marker = b[i++];
            if (marker == 0xD9) return null;
            if (marker == 0x01 || marker is >= 0xD0 and <= 0xD7) continue; // markers without a length
            if (i + 2 > b.Length) return cut;
            int length = (b[i] << 8) | b[i + 1];
            if (length < 2) return null;
            i += length;
            if (i > b.Length) return cut;
            if (marker != 0xDA) continue;
            // Scan data: FF 00 is a stuffed byte and FF D0–D7 a restart marker; any other FF xx ends it.
            while (true)
            {
                if (i + 1 >= b.Length) return cut;
                if (b[i] == 0xFF && b[i + 1] != 0x00 && b[i + 1] is not (>= 0xD0 and <= 0xD7) && b[i + 1] != 0xFF) break;
                i++;
            }
        }
    }

    /// <summary>Chunks are length, type, data, CRC; the file ends with the IEND chunk.</summary>
    static string? Png(byte[] b)
    {
        int i = 8;
        while (i + 8 <= b.Length)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(i));
            if (b[i + 4] == 'I' && b[i + 5] == 'E' && b[i + 6] == 'N' && b[i + 7] == 'D') return null;
            i = (int)Math.Min(int.MaxValue, i + 12 + length);
        }
        return "the file ends before the PNG IEND chunk; it is truncated";
    }

    /// <summary>The header states the file size; 0 means the writer did not say.</summary>
    static string? Bmp(byte[] b)
    {
        if (b.Length < 6) return "the file is shorter than a BMP header; it is truncated";
        long size = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(2));
        return size > b.Length ? $"the BMP header states {size} bytes but the file has {b.Length}; it is truncated" : null;
    }
}
