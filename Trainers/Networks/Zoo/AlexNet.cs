using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.NetworkLayers;
using static MLToolkit.Layers;

namespace MLToolkit.Trainers.Networks.Zoo;

/// <summary>
/// AlexNet (Krizhevsky et al., 2012) in torchvision's single-tower layout: what it introduced is ReLU,
/// dropout in the dense layers, overlapping max pooling (3×3 windows at stride 2) and local response
/// normalization (parameter-free, so the 61.10M parameters on 3×224×224 are unchanged by it). On
/// inputs under 64 pixels the 11×11 stride-4 stem becomes a 3×3 stride-1 one; where the last
/// feature map is smaller than 6×6 the dense layers read it unpooled and narrow to 512 units unless
/// <paramref name="DenseUnits"/> says otherwise.
/// </summary>
/// <param name="LocalResponseNorm">Whether to normalise after the first two convolutions.</param>
/// <param name="DenseUnits">Width of the two hidden dense layers; null: 4096, or 512 where the last feature map is under 6×6.</param>
/// <param name="Dropout">Dropout before each hidden dense layer.</param>
public sealed record AlexNet(bool LocalResponseNorm = true, int? DenseUnits = null, double Dropout = 0.5) : LayeredArchitecture
{
    /// <inheritdoc />
    public override string Name => "alexnet";

    /// <inheritdoc />
    public override Layer Define(ImageShape input)
    {
        bool small = IsSmall(input);
        var features = new List<Layer>
        {
            small ? Conv2D(64, 3) : Conv2D(64, 11, stride: 4, padding: Padding.Of(2)), ReLU(),
        };
        if (LocalResponseNorm) features.Add(MLToolkit.Layers.LocalResponseNorm());
        features.AddRange([MaxPool(3, 2), Conv2D(192, 5), ReLU()]);
        if (LocalResponseNorm) features.Add(MLToolkit.Layers.LocalResponseNorm());
        features.AddRange([MaxPool(3, 2), Conv2D(384, 3), ReLU(), Conv2D(256, 3), ReLU(), Conv2D(256, 3), ReLU(), MaxPool(3, 2)]);
        return ClassicHead(features, input, DenseUnits, Dropout);
    }

    /// <summary>
    /// The dense head AlexNet, ZFNet and VGG share: adaptive pooling to <paramref name="pooledSize"/>²,
    /// then Dropout-Dense-ReLU twice (torchvision's order) and the output. Where the features end
    /// smaller than that (inputs well under 224 pixels), pooling would only copy each value into
    /// many inputs of a huge first dense layer (VGG at 64 pixels: a 2×2 map made 7×7, 25088×4096
    /// weights), so the head flattens the map as it is and uses 512 units.
    /// </summary>
    internal static Sequence ClassicHead(List<Layer> features, ImageShape input, int? denseUnits, double dropout, int pooledSize = 6,
        bool dropoutAfter = false)
    {
        var map = new Sequence(features).OutputShape([input.Channels, input.Height, input.Width]);
        bool small = Math.Min(map[1], map[2]) < pooledSize;
        int units = denseUnits ?? (small ? 512 : 4096);
        var layers = new List<Layer>(features);
        if (!small) layers.Add(AdaptiveAvgPool(pooledSize, pooledSize));
        layers.Add(Flatten());
        for (int i = 0; i < 2; i++)
        {
            if (!dropoutAfter) layers.Add(MLToolkit.Layers.Dropout(dropout));
            layers.AddRange([Dense(units), ReLU()]);
            if (dropoutAfter) layers.Add(MLToolkit.Layers.Dropout(dropout));
        }
        layers.Add(Output());
        return new Sequence(layers);
    }
}
