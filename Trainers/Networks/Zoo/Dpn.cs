using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.NetworkLayers;
using static MLToolkit.Layers;

namespace MLToolkit.Trainers.Networks.Zoo;

/// <summary>
/// A small Dual Path Network (Chen et al., 2017) for CIFAR/MNIST-sized inputs: each block is a
/// grouped bottleneck (1×1 → grouped 3×3 → 1×1) whose output is split — the first channels are
/// added to the residual path (ResNet: feature re-use), the others appended to the dense path
/// (DenseNet: new features). Three stages of <paramref name="BlocksPerStage"/> blocks.
/// </summary>
/// <param name="BlocksPerStage">Blocks in each of the three stages.</param>
/// <param name="Groups">Groups of the 3×3 convolutions (the ResNeXt part of DPN).</param>
public sealed record Dpn(int BlocksPerStage = 2, int Groups = 8) : LayeredArchitecture
{
    /// <inheritdoc />
    public override string Name => "dpn-small";

    /// <inheritdoc />
    public override Layer Define(ImageShape input)
    {
        if (BlocksPerStage < 1) throw new ArgumentException($"Dpn needs at least one block per stage; it has {BlocksPerStage}.", nameof(BlocksPerStage));
        // (bottleneck width, residual channels, dense channels added per block, stride)
        (int Width, int Residual, int Dense, int Stride)[] stages = [(32, 64, 8, 1), (64, 128, 16, 2), (128, 256, 32, 2)];
        var layers = new List<Layer> { IsSmall(input) ? ConvBnRelu(32, 3) : ConvBnRelu(32, 7, 2, Padding.Of(3)) };
        foreach (var (width, residual, dense, stride) in stages)
        {
            for (int block = 0; block < BlocksPerStage; block++)
            {
                var body = Sequence(ConvBnRelu(width, 1), ConvBnRelu(width, 3, block == 0 ? stride : 1, groups: Groups),
                    Conv2D(residual + dense, 1, useBias: false), BatchNorm());
                // The first block of a stage projects the input to the stage's residual width plus one dense slice.
                var shortcut = block == 0 ? Sequence(Conv2D(residual + dense, 1, stride, useBias: false), BatchNorm()) : null;
                layers.AddRange([DualPath(body, residual, shortcut), ReLU()]);
            }
        }
        layers.AddRange([GlobalAvgPool(), Output()]);
        return new Sequence(layers);
    }
}
