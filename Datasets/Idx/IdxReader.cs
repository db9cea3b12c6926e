using System.Buffers.Binary;
using System.IO.Compression;

namespace MLToolkit.Datasets.Idx;

/// <summary>
/// Reads files in the IDX format of MNIST and Fashion-MNIST, gzip-compressed or raw:
/// a big-endian header (magic number, then one count per dimension) followed by unsigned bytes.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned bytes with three dimensions (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned bytes with one dimension (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an image file (count × rows × columns bytes).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The magic number is wrong or the data is truncated.</exception>
    public static IdxImages ReadImages(string path)
    {
        var (dimensions, data) = Read(path, ImagesMagic, dimensionCount: 3);
        return new IdxImages(dimensions[0], dimensions[1], dimensions[2], data);
    }

    /// <summary>Reads a label file (one byte per item).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The magic number is wrong or the data is truncated.</exception>
    public static byte[] ReadLabels(string path) => Read(path, LabelsMagic, dimensionCount: 1).Data;

    static (int[] Dimensions, byte[] Data) Read(string path, int expectedMagic, int dimensionCount)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file not found: '{path}'.", path);

        using var stream = OpenMaybeGzip(path);
        try
        {
            var header = new byte[4 * (1 + dimensionCount)];
            ReadExactly(stream, header, path, "header");
            int magic = BinaryPrimitives.ReadInt32BigEndian(header);
            if (magic != expectedMagic)
                throw new InvalidDataException(
                    $"'{path}' has magic number 0x{magic:X8}; expected 0x{expectedMagic:X8} " +
                    $"({(expectedMagic == ImagesMagic ? "an IDX image file" : "an IDX label file")}).");

            var dimensions = new int[dimensionCount];
            long length = 1;
            for (int i = 0; i < dimensionCount; i++)
            {
                dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 * (i + 1)));
                if (dimensions[i] < 0)
                    throw new InvalidDataException($"'{path}' declares a negative size {dimensions[i]} in dimension {i}.");
                length *= dimensions[i];
            }
            if (length > Array.MaxLength)
                throw new InvalidDataException($"'{path}' declares {length} bytes of data, more than one array can hold.");

            var data = new byte[length];
            ReadExactly(stream, data, path, $"data ({string.Join(" x ", dimensions)} bytes)");
            return (dimensions, data);
        }
        catch (InvalidDataException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            // Gzip decoding errors do not name the file.
            throw new InvalidDataException($"'{path}' is not a valid IDX file: {e.Message}", e);
        }
    }

    static Stream OpenMaybeGzip(string path)
    {
        var file = File.OpenRead(path);
        Span<byte> signature = stackalloc byte[2];
        int read = file.Read(signature);
        file.Position = 0;
        bool gzip = read == 2 && signature[0] == 0x1f && signature[1] == 0x8b;
        return gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    static void ReadExactly(Stream stream, byte[] buffer, string path, string what)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer, total, buffer.Length - total);
            if (read == 0)
                throw new InvalidDataException(
                    $"'{path}' is truncated: its {what} needs {buffer.Length} bytes but only {total} are there.");
            total += read;
        }
    }
}

/// <summary>Images read from an IDX file: <see cref="Count"/> images of <see cref="Rows"/> × <see cref="Columns"/> bytes.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Image height in pixels.</param>
/// <param name="Columns">Image width in pixels.</param>
/// <param name="Pixels">Row-major pixels, image after image.</param>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels);
