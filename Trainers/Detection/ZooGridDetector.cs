using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.NetworkLayers;
using MLToolkit.Trainers.Networks;
using static MLToolkit.Layers;

namespace MLToolkit.Trainers.Detection;

/// <summary>
/// The grid detector's head on a zoo architecture's features: the zoo design's layers up to its classifier (the
/// first global or adaptive pooling, or flattening) are the backbone, and its stride (the image side over the
/// feature map's, which depends on the image size where the design picks its stem by size) is the grid's cell
/// size, e.g. 4 for <c>resnet20</c> (16×16 cells on 64×64 images) or 32 for <c>vgg11</c>. Two 3×3 Conv-BN-ReLU layers and <see cref="GridOutput"/> follow, as in <see cref="GridDetector"/>.
/// </summary>
/// <param name="Backbone">A registered layered architecture (see <c>list</c>), e.g. "resnet20", "vgg11-bn", "densenet-bc".</param>
/// <param name="Head">Channels of the head's convolutions.</param>
public sealed record ZooGridDetector(string Backbone, int Head = 128) : LayeredArchitecture, IDetectionArchitecture
{
    /// <inheritdoc />
    public override string Name => "grid-detector-" + Backbone;

    /// <inheritdoc />
    public int StrideFor(ImageShape input)
    {
        var shape = Features(input).Shape;
        if (input.Height % shape[1] != 0 || input.Width % shape[2] != 0 || input.Height / shape[1] != input.Width / shape[2])
            throw new ArgumentException($"{Backbone}'s features are {shape[1]}×{shape[2]} on {input.Height}×{input.Width} images, not an even grid: use image sides divisible by the backbone's stride.");
        return (int)(input.Height / shape[1]);
    }

    /// <inheritdoc />
    public override Layer Define(ImageShape input)
    {
        StrideFor(input);
        var (features, _) = Features(input);
        return Sequence([.. features, ConvBnRelu(Head, 3), ConvBnRelu(Head, 3), new GridOutput()]);
    }

    (IReadOnlyList<Layer> Layers, long[] Shape) Features(ImageShape input)
    {
        if (ArchitectureRegistry.Create(Backbone) is not LayeredArchitecture zoo || zoo.Define(input) is not Sequence { Layers: var layers })
            throw new ArgumentException($"'{Backbone}' is not a layered architecture whose layers form a sequence; detection heads go on the layer API's designs.");
        var features = layers.TakeWhile(l => l is not (NetworkLayers.GlobalAvgPool or NetworkLayers.AdaptiveAvgPool or NetworkLayers.Flatten)).ToArray();
        if (features.Length == layers.Count || features.Length == 0)
            throw new ArgumentException($"'{Backbone}' has no classifier head (global or adaptive pooling, or flattening) to replace.");
        return (features, new Sequence(features).OutputShape([input.Channels, input.Height, input.Width]));
    }
}
