namespace MLToolkit.Datasets.Segmentation;

/// <summary>
/// The Pascal VOC colour map: the palette of VOC's mask PNGs, where class i has a fixed colour
/// (0 black, 1 dark red, … and 255, "ignore", a light cream). Also used to draw masks.
/// </summary>
public static class MaskPalette
{
    static readonly (byte R, byte G, byte B)[] Colours = Enumerable.Range(0, 256).Select(Colour).ToArray();
    static readonly Dictionary<int, uint> Indices = Enumerable.Range(0, 256).ToDictionary(i => Key(Colours[i]), i => (uint)i);

    /// <summary>The colour of class <paramref name="index"/>: the bits of the index spread over red, green and blue, high bits first.</summary>
    public static (byte R, byte G, byte B) Colour(int index)
    {
        int r = 0, g = 0, b = 0, c = index;
        for (int bit = 7; bit >= 0; bit--)
        {
            r |= (c & 1) << bit;
            g |= ((c >> 1) & 1) << bit;
            b |= ((c >> 2) & 1) << bit;
            c >>= 3;
        }
        return ((byte)r, (byte)g, (byte)b);
    }

    /// <summary>The colour of class <paramref name="index"/> (0–255).</summary>
    public static (byte R, byte G, byte B) Of(uint index) => Colours[index & 0xFF];

    /// <summary>The class whose palette colour is (<paramref name="r"/>, <paramref name="g"/>, <paramref name="b"/>), or null.</summary>
    public static uint? IndexOf(byte r, byte g, byte b) => Indices.TryGetValue(Key((r, g, b)), out var index) ? index : null;

    static int Key((byte R, byte G, byte B) c) => c.R << 16 | c.G << 8 | c.B;
}
