using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.NetworkLayers;
using MLToolkit.Trainers.Networks;
using static MLToolkit.Layers;

namespace MLToolkit.Trainers.Segmentation;

/// <summary>
/// U-Net (Ronneberger, Fischer and Brox): an encoder of Conv-BN-ReLU pairs and 2×2 max poolings, a
/// bottleneck, and a symmetric decoder whose every stage upsamples twice (a transposed convolution),
/// concatenates the encoder's features of the same size (the skip) and applies a Conv-BN-ReLU pair; a
/// 1×1 layer scores every pixel at full resolution. Written with the layer API: each level is a
/// <see cref="Trainers.NetworkLayers.Concat"/> of the identity and the path down and up again. Inputs of any size are padded to
/// a multiple of 2^levels and the scores cropped back.
/// </summary>
/// <param name="Widths">Channels of the encoder stages, from the top (full size) down.</param>
/// <param name="Bottleneck">Channels at the bottom.</param>
public sealed record UNet(IReadOnlyList<int>? Widths = null, int Bottleneck = 256) : LayeredArchitecture, ISegmentationArchitecture
{
    static readonly int[] DefaultWidths = [16, 32, 64, 128];

    /// <inheritdoc />
    public override string Name => "unet";

    /// <inheritdoc />
    public override Layer Define(ImageShape input)
    {
        var widths = Widths ?? DefaultWidths;
        if (widths.Count < 1 || widths.Any(w => w < 1) || Bottleneck < 1) throw new ArgumentException("U-Net needs at least one positive stage width and a positive bottleneck.");
        Layer Pair(int width) => Sequence(ConvBnRelu(width, 3), ConvBnRelu(width, 3));
        // Level i takes the encoder's features of width[i]; below it, the next level (or the bottleneck).
        Layer Level(int i)
        {
            var below = i + 1 < widths.Count ? Sequence(Pair(widths[i + 1]), Level(i + 1)) : Pair(Bottleneck);
            var downAndUp = Sequence(MaxPool(2), below, UpConv(2, widths[i], bilinear: false));
            return Sequence(Concat(Identity(), downAndUp), Pair(widths[i]));
        }
        return CropToInput(1 << widths.Count, Sequence(Pair(widths[0]), Level(0), PixelClassifier()));
    }
}
