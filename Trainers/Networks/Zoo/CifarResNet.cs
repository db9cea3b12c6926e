using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.NetworkLayers;
using static MLToolkit.Layers;

namespace MLToolkit.Trainers.Networks.Zoo;

/// <summary>
/// The CIFAR ResNets of He et al. (2015, section 4.2): a 3×3 stem with 16 filters, three stages of
/// n basic blocks with 16, 32 and 64 filters (depth = 6n + 2: ResNet-20, 32, 44, 56, 110), global
/// average pooling. Shortcuts are parameter-free ("option A": subsample and pad with zero
/// channels), which gives ResNet-20 its 0.27M parameters.
/// </summary>
/// <param name="Depth">6n + 2: 20, 32, 44, 56, 110…</param>
public sealed record CifarResNet(int Depth = 20) : LayeredArchitecture
{
    /// <inheritdoc />
    public override string Name => $"resnet{Depth}";

    /// <inheritdoc />
    public override Layer Define(ImageShape input)
    {
        if (Depth < 8 || (Depth - 2) % 6 != 0)
            throw new ArgumentException($"A CIFAR ResNet's depth is 6n + 2 (20, 32, 44, 56, 110); it is {Depth}.", nameof(Depth));
        int blocks = (Depth - 2) / 6, channels = 16;
        var layers = new List<Layer> { ConvBnRelu(16, 3) };
        for (int stage = 0; stage < 3; stage++)
        {
            int width = 16 << stage;
            for (int block = 0; block < blocks; block++)
            {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                layers.Add(ResNet.BasicBlock(channels, width, stride,
                    shortcut: stride == 1 && channels == width ? new Identity() : new PadShortcut(width, stride)));
                channels = width;
            }
        }
        layers.AddRange([GlobalAvgPool(), Output()]);
        return new Sequence(layers);
    }
}
