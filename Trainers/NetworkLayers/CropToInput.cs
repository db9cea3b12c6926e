using MLToolkit.Trainers.NetworkLayers.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>
/// Aligns an encoder-decoder to any image size: pads the input with zeros on the right and bottom up to a
/// multiple of <paramref name="Multiple"/> (the product of the body's poolings), runs the body, and crops
/// its output back to the input's height and width, so that scores line up with pixels.
/// </summary>
/// <param name="Multiple">Height and width are padded up to a multiple of this.</param>
/// <param name="Body">A body that keeps height and width (padded size in, padded size out).</param>
public sealed record CropToInput(int Multiple, Layer Body) : Layer
{
    /// <inheritdoc />
    public override string Kind => "crop_to_input";

    long[] Padded(long[] input) => [input[0], Up(input[1]), Up(input[2])];

    long Up(long n) => (n + Multiple - 1) / Multiple * Multiple;

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        RequireImage(input);
        if (Multiple < 1) throw new ArgumentException($"crop_to_input needs a multiple >= 1; it has {Multiple}.");
        var padded = Padded(input);
        var output = Body.OutputShape(padded);
        if (output.Length != 3 || output[1] != padded[1] || output[2] != padded[2])
            throw new ArgumentException($"crop_to_input: the body turns [{ShapeText(padded)}] into [{ShapeText(output)}]; it must keep height and width.");
        return [output[0], input[1], input[2]];
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        return new CropToInputModule(Body.Build(Padded(input), context), Multiple);
    }
}
