using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>Parameter-free upsampling by an integer factor: [C, H, W] → [C, H·Factor, W·Factor].</summary>
/// <param name="Factor">How many times larger.</param>
/// <param name="Nearest">Nearest neighbour instead of bilinear interpolation.</param>
public sealed record Upsample(int Factor, bool Nearest = false) : Layer
{
    /// <inheritdoc />
    public override string Kind => "upsample";

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        RequireImage(input);
        if (Factor < 1) throw new ArgumentException($"upsample needs a factor >= 1; it has {Factor}.");
        return [input[0], input[1] * Factor, input[2] * Factor];
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        return Nearest
            ? nn.Upsample(scale_factor: [Factor, Factor], mode: UpsampleMode.Nearest)
            : nn.Upsample(scale_factor: [Factor, Factor], mode: UpsampleMode.Bilinear, align_corners: false);
    }
}
