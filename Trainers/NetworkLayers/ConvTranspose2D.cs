using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>
/// A transposed ("up-") convolution: [C, H, W] → [Filters, (H−1)·Stride − 2·Padding + KernelSize, …]. With
/// kernel 2s, stride s and padding s/2 it upsamples exactly s times, as FCN's "deconvolution" layers.
/// </summary>
/// <param name="Filters">Output channels; null gives one per class (to upsample class scores).</param>
/// <param name="KernelSize">Kernel height and width.</param>
/// <param name="Stride">Upsampling factor.</param>
/// <param name="Padding">Pixels cropped from each border of the output.</param>
/// <param name="Bilinear">
/// Start as bilinear interpolation (Long et al.): channel c of the input upsampled into channel c of the
/// output, other pairs zero, no bias; training then refines it. Otherwise the network's default initialiser.
/// </param>
/// <param name="UseBias">Whether to add a bias (not with <paramref name="Bilinear"/>).</param>
public sealed record ConvTranspose2D(int? Filters, int KernelSize, int Stride, int Padding = 0, bool Bilinear = false, bool UseBias = false) : Layer
{
    /// <inheritdoc />
    public override string Kind => "conv_transpose2d";

    /// <summary>The layer that upsamples <paramref name="factor"/> times (kernel 2·factor, stride factor, padding factor/2).</summary>
    public static ConvTranspose2D Upsampling(int factor, int? filters = null, bool bilinear = true) =>
        new(filters, 2 * factor, factor, factor / 2, bilinear);

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        RequireImage(input);
        if (Filters is < 1 || KernelSize < 1 || Stride < 1 || Padding < 0)
            throw new ArgumentException($"conv_transpose2d needs positive filters, kernel size and stride and padding >= 0; it has {Filters}, {KernelSize}, {Stride}, {Padding}.");
        long Size(long n) => (n - 1) * Stride - 2 * Padding + KernelSize;
        return [Filters ?? ClassifierOutput.ClassesPlaceholder, Size(input[1]), Size(input[2])];
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        long inChannels = input[0] == ClassifierOutput.ClassesPlaceholder ? context.Classes : input[0];
        long outChannels = Filters ?? context.Classes;
        var conv = nn.ConvTranspose2d(inChannels, outChannels, KernelSize, stride: Stride, padding: Padding, bias: UseBias && !Bilinear);
        if (Bilinear) InitBilinear(conv.weight!, KernelSize);
        else Initializers.Apply(context.DefaultInitializer, conv.weight!, conv.bias);
        return conv;
    }

    /// <summary>The weights of bilinear upsampling: weight[in, out, k, k] is the bilinear kernel where in == out.</summary>
    internal static void InitBilinear(Tensor weight, int kernelSize)
    {
        using var _ = torch.no_grad();
        double factor = (kernelSize + 1) / 2;
        double centre = kernelSize % 2 == 1 ? factor - 1 : factor - 0.5;
        var kernel = new float[kernelSize * kernelSize];
        for (int y = 0; y < kernelSize; y++)
            for (int x = 0; x < kernelSize; x++)
                kernel[y * kernelSize + x] = (float)((1 - Math.Abs(y - centre) / factor) * (1 - Math.Abs(x - centre) / factor));
        using var filter = torch.tensor(kernel, new long[] { kernelSize, kernelSize });
        weight.zero_();
        for (long c = 0; c < Math.Min(weight.shape[0], weight.shape[1]); c++) weight[c, c].copy_(filter);
    }
}
