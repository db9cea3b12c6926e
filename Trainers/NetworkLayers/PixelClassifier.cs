using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>
/// Class scores at every position: a 1×1 convolution to one channel per class, [C, H, W] → [classes, H, W].
/// The per-pixel counterpart of <see cref="ClassifierOutput"/>, for segmentation networks.
/// </summary>
/// <param name="ZeroInit">Start at zero (FCN's skip scores, so that a new skip adds nothing until trained); otherwise the network's default initialiser.</param>
public sealed record PixelClassifier(bool ZeroInit = false) : Layer
{
    /// <inheritdoc />
    public override string Kind => "pixel_classifier";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        RequireImage(input);
        return [ClassifierOutput.ClassesPlaceholder, input[1], input[2]];
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        var conv = nn.Conv2d(input[0], context.Classes, 1);
        Initializers.Apply(ZeroInit ? Initializer.Zeros : context.DefaultInitializer, conv.weight!, conv.bias);
        return conv;
    }
}
