using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.NetworkLayers;
using MLToolkit.Trainers.Networks;
using static MLToolkit.Layers;

namespace MLToolkit.Trainers.Segmentation;

/// <summary>
/// Fully convolutional network (Long, Shelhamer and Darrell, "Fully Convolutional Networks for Semantic
/// Segmentation"): a VGG-like backbone of five Conv-BN-ReLU pairs, each followed by 2×2 max pooling; the
/// dense layers become convolutions (fc6 3×3, fc7 1×1) and a 1×1 layer scores every position at 1/32 of
/// the image. FCN-32s upsamples those scores 32 times; FCN-16s first adds scores of pool4's features (a
/// skip, started at zero) to the scores upsampled twice; FCN-8s adds pool3's as well. Every upsampling is
/// a transposed convolution started as bilinear interpolation. Inputs of any size are padded to a
/// multiple of 32 and the scores cropped back.
/// </summary>
/// <param name="Stride">32, 16 or 8: the coarsest scores' stride the last upsampling undoes (FCN-32s, -16s, -8s).</param>
/// <param name="Widths">Channels of the five backbone stages.</param>
/// <param name="Head">Channels of fc6 and fc7.</param>
public sealed record Fcn(int Stride = 8, IReadOnlyList<int>? Widths = null, int Head = 256) : LayeredArchitecture, ISegmentationArchitecture
{
    static readonly int[] DefaultWidths = [16, 32, 64, 128, 128];

    /// <inheritdoc />
    public override string Name => $"fcn{Stride}s";

    /// <inheritdoc />
    public override Layer Define(ImageShape input)
    {
        if (Stride is not (8 or 16 or 32)) throw new ArgumentException($"FCN's stride must be 32, 16 or 8; it is {Stride}.");
        var widths = Widths ?? DefaultWidths;
        if (widths.Count != 5 || widths.Any(w => w < 1)) throw new ArgumentException("FCN needs five positive stage widths.");
        Layer Stage(int i) => Sequence(ConvBnRelu(widths[i], 3), ConvBnRelu(widths[i], 3), MaxPool(2));
        // fc6 and fc7 as convolutions, then class scores at 1/32.
        var scores32 = Sequence(Stage(4), ConvBnRelu(Head, 3), ConvBnRelu(Head, 1), PixelClassifier());
        Layer body = Stride switch
        {
            32 => Sequence(Stage(0), Stage(1), Stage(2), Stage(3), scores32, UpConv(32)),
            16 => Sequence(Stage(0), Stage(1), Stage(2), Stage(3),
                    Residual(Sequence(scores32, UpConv(2)), PixelClassifier(zeroInit: true)), UpConv(16)),
            _ => Sequence(Stage(0), Stage(1), Stage(2),
                    Residual(Sequence(Stage(3), Residual(Sequence(scores32, UpConv(2)), PixelClassifier(zeroInit: true)), UpConv(2)),
                        PixelClassifier(zeroInit: true)),
                    UpConv(8)),
        };
        return CropToInput(32, body);
    }
}
