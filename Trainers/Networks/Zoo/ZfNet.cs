using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.NetworkLayers;
using static MLToolkit.Layers;

namespace MLToolkit.Trainers.Networks.Zoo;

/// <summary>
/// ZFNet (Zeiler &amp; Fergus, 2013): AlexNet re-tuned by visualising its filters — a 7×7 stride-2
/// first convolution instead of 11×11 stride 4, so early layers keep more detail, and 96-256-384-384-256
/// filters. Same dense head as <see cref="AlexNet"/>; same small-input stem.
/// </summary>
/// <param name="DenseUnits">Width of the two hidden dense layers; null: 4096, or 512 where the last feature map is under 6×6.</param>
/// <param name="Dropout">Dropout before each hidden dense layer.</param>
public sealed record ZfNet(int? DenseUnits = null, double Dropout = 0.5) : LayeredArchitecture
{
    /// <inheritdoc />
    public override string Name => "zfnet";

    /// <inheritdoc />
    public override Layer Define(ImageShape input)
    {
        bool small = IsSmall(input);
        var features = small
            ? new List<Layer> { Conv2D(96, 3), ReLU(), LocalResponseNorm(), MaxPool(3, 2), Conv2D(256, 3), ReLU(), LocalResponseNorm(), MaxPool(3, 2) }
            : new List<Layer>
            {
                Conv2D(96, 7, stride: 2, padding: Padding.Of(1)), ReLU(), LocalResponseNorm(), MaxPool(3, 2, Padding.Of(1)),
                Conv2D(256, 5, stride: 2, padding: Padding.Valid), ReLU(), LocalResponseNorm(), MaxPool(3, 2, Padding.Of(1)),
            };
        features.AddRange([Conv2D(384, 3), ReLU(), Conv2D(384, 3), ReLU(), Conv2D(256, 3), ReLU(), MaxPool(3, 2)]);
        return AlexNet.ClassicHead(features, input, DenseUnits, Dropout);
    }
}
