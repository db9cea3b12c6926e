namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>
/// Padding of a convolution or pooling window: <see cref="Same"/> keeps the size at stride 1 (and gives
/// ⌈size / stride⌉ otherwise, odd kernels only), <see cref="Valid"/> adds none, <see cref="Of"/> pads
/// a fixed number of pixels on each side (as the published AlexNet/ResNet layouts do).
/// </summary>
/// <param name="Mode">"same", "valid" or "explicit".</param>
/// <param name="Pixels">Pixels per side when <paramref name="Mode"/> is "explicit".</param>
public sealed record Padding(string Mode, int Pixels = 0)
{
    /// <summary>Output size ⌈input / stride⌉: pads (kernel − 1) / 2 on each side.</summary>
    public static Padding Same { get; } = new("same");

    /// <summary>No padding.</summary>
    public static Padding Valid { get; } = new("valid");

    /// <summary><paramref name="pixels"/> zeros on each side.</summary>
    public static Padding Of(int pixels) =>
        pixels >= 0 ? new("explicit", pixels) : throw new ArgumentException($"Padding must be >= 0 pixels; it is {pixels}.", nameof(pixels));

    /// <summary>Pixels per side for a window of <paramref name="kernel"/>.</summary>
    public int For(int kernel) => Mode switch
    {
        "same" when kernel % 2 == 1 => kernel / 2,
        "same" => throw new ArgumentException($"Padding.Same needs an odd kernel size; it is {kernel}. Use Padding.Of(n)."),
        "valid" => 0,
        "explicit" => Pixels,
        _ => throw new ArgumentException($"Unknown padding mode '{Mode}'."),
    };

    /// <summary>Output size of a window of <paramref name="kernel"/> at <paramref name="stride"/> over <paramref name="size"/> pixels.</summary>
    public long OutputSize(long size, int kernel, int stride, bool ceilMode = false)
    {
        int pad = For(kernel);
        long span = size + 2 * pad - kernel;
        if (span < 0) throw new ArgumentException($"A {kernel}×{kernel} window does not fit {size} pixels (padding {pad}).");
        long output = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        // PyTorch's rule: with ceil mode the last window must start inside the input or its left padding.
        if (ceilMode && (output - 1) * stride >= size + pad) output--;
        return output;
    }
}
