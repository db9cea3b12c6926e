using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.NetworkLayers;
using MLToolkit.Trainers.Networks;
using static MLToolkit.Layers;

namespace MLToolkit.Trainers.Detection;

/// <summary>
/// A single-stage grid detector in the manner of YOLO: a VGG-like backbone of Conv-BN-ReLU stages with 2×2 max
/// pooling down to 1/<see cref="Stride"/> of the image (one convolution in the first two stages, where the image is
/// large and the features simple, two in the others), two 3×3 Conv-BN-ReLU layers of <see cref="Head"/> channels
/// that see well beyond one cell, and <see cref="GridOutput"/>. Stride 8 gives a 16×16 grid on 128×128 scenes, cells
/// smaller than the smallest digit.
/// </summary>
/// <param name="Widths">Channels of the backbone stages; each stage halves the size, so there are log2(stride) of them.</param>
/// <param name="Head">Channels of the head's convolutions.</param>
public sealed record GridDetector(IReadOnlyList<int>? Widths = null, int Head = 128) : LayeredArchitecture, IDetectionArchitecture
{
    static readonly int[] DefaultWidths = [16, 32, 64];

    /// <inheritdoc />
    public override string Name => "grid-detector";

    /// <summary>Pixels per grid cell: 2 to the number of stages.</summary>
    public int Stride => 1 << (Widths ?? DefaultWidths).Count;

    /// <inheritdoc />
    public int StrideFor(ImageShape input) => Stride;

    /// <inheritdoc />
    public override Layer Define(ImageShape input)
    {
        var widths = Widths ?? DefaultWidths;
        if (widths.Count == 0 || widths.Any(w => w < 1)) throw new ArgumentException("GridDetector needs at least one positive stage width.");
        if (input.Height % Stride != 0 || input.Width % Stride != 0)
            throw new ArgumentException($"GridDetector with stride {Stride} needs image sides divisible by {Stride}; they are {input.Height} and {input.Width}.");
        var stages = widths.Select((w, i) => i < 2 ? (Layer)Sequence(ConvBnRelu(w, 3), MaxPool(2)) : Sequence(ConvBnRelu(w, 3), ConvBnRelu(w, 3), MaxPool(2)));
        return Sequence([.. stages, ConvBnRelu(Head, 3), ConvBnRelu(Head, 3), new GridOutput()]);
    }
}
