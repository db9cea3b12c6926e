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
/// a transposed convolution started as bilinear interpolation. The same skip architecture carried on to
/// pool2 and pool1 (FCN-4s, -2s) and to the input itself (FCN-1s, whose last skip scores each pixel from
/// its own value) gives full-resolution boundaries; the paper stops at 8s, where its gains levelled off
/// on Pascal VOC. Inputs of any size are padded to a multiple of 32 and the scores cropped back.
/// </summary>
/// <param name="Stride">32, 16, 8, 4, 2 or 1: the stride of the finest skip (FCN-32s has none and upsamples its 1/32 scores at once).</param>
/// <param name="Widths">Channels of the five backbone stages.</param>
/// <param name="Head">Channels of fc6 and fc7.</param>
/// <param name="PixelFeatures">FCN-1s: channels of a 3×3 Conv-BN-ReLU on the input before its skip scores (0: scores straight from the pixel values).</param>
public sealed record Fcn(int Stride = 8, IReadOnlyList<int>? Widths = null, int Head = 256, int PixelFeatures = 16) : LayeredArchitecture, ISegmentationArchitecture
{
    static readonly int[] DefaultWidths = [16, 32, 64, 128, 128];

    /// <inheritdoc />
    public override string Name => $"fcn{Stride}s";

    /// <inheritdoc />
    public override Layer Define(ImageShape input)
    {
        if (Stride is not (1 or 2 or 4 or 8 or 16 or 32)) throw new ArgumentException($"FCN's stride must be 32, 16, 8, 4, 2 or 1; it is {Stride}.");
        var widths = Widths ?? DefaultWidths;
        if (widths.Count != 5 || widths.Any(w => w < 1)) throw new ArgumentException("FCN needs five positive stage widths.");
        Layer Stage(int i) => Fcn.Stage(widths[i]);
        // Scores at stride 2^level from the features at that stride: at 1/32 the converted fc6 and fc7; above,
        // the scores of the level below upsampled twice plus this level's own skip scores (started at zero).
        Layer Scores(int level) => level == 5
            ? Sequence(ConvBnRelu(Head, 3), ConvBnRelu(Head, 1), PixelClassifier(zeroInit: true))
            : Residual(Sequence(Stage(level), Scores(level + 1), UpConv(2)), Skip(level));
        // The input's own skip sees a 3×3 neighbourhood through a small layer, so that a stroke's edge is placed by
        // the pixels around it, not by one pixel's brightness alone.
        Layer Skip(int level) => level == 0 && PixelFeatures > 0
            ? Sequence(ConvBnRelu(PixelFeatures, 3), PixelClassifier(zeroInit: true))
            : PixelClassifier(zeroInit: true);
        int top = System.Numerics.BitOperations.Log2((uint)Stride);
        var layers = Enumerable.Range(0, top).Select(Stage).Append(Scores(top));
        if (top > 0) layers = layers.Append(UpConv(Stride));
        return CropToInput(32, Sequence([.. layers]));
    }

    /// <summary>One backbone stage: two 3×3 Conv-BN-ReLU of <paramref name="width"/> channels and a 2×2 max pooling.</summary>
    internal static Layer Stage(int width) => Sequence(ConvBnRelu(width, 3), ConvBnRelu(width, 3), MaxPool(2));
}
