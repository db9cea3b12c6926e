using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.NetworkLayers;
using static MLToolkit.Layers;

namespace MLToolkit.Trainers.Networks.Zoo;

/// <summary>
/// VGG (Simonyan &amp; Zisserman, 2014): stacks of 3×3 convolutions between 2×2 max pools. Two stacked
/// 3×3 convolutions see a 5×5 window with 2·9·C² weights instead of 25·C², and add a
/// non-linearity. VGG-11/13/16/19 with or without batch normalization; torchvision's layout
/// (VGG-16: 138.36M parameters on 3×224×224). Pools round up, so 28×28 inputs reach 1×1; where the
/// last feature map is smaller than 7×7 (inputs under 193 pixels) the head is 512-512 dense units on
/// the unpooled map instead of 4096-4096 on a 7×7 adaptive pool (VGG-11 at 64 pixels: 10.5M
/// parameters instead of 128.8M).
/// </summary>
/// <param name="Depth">11, 13, 16 or 19 weight layers.</param>
/// <param name="BatchNorm">Batch normalization after each convolution.</param>
/// <param name="DenseUnits">Width of the hidden dense layers; null: 4096, or 512 where the last feature map is under 7×7.</param>
/// <param name="Dropout">Dropout after each hidden dense layer.</param>
public sealed record Vgg(int Depth = 16, bool BatchNorm = false, int? DenseUnits = null, double Dropout = 0.5) : LayeredArchitecture
{
    /// <summary>Convolutions per stage of each depth (filters 64, 128, 256, 512, 512).</summary>
    static readonly Dictionary<int, int[]> Stages = new()
    {
        [11] = [1, 1, 2, 2, 2], [13] = [2, 2, 2, 2, 2], [16] = [2, 2, 3, 3, 3], [19] = [2, 2, 4, 4, 4],
    };

    /// <inheritdoc />
    public override string Name => $"vgg{Depth}" + (BatchNorm ? "-bn" : "");

    /// <inheritdoc />
    public override Layer Define(ImageShape input)
    {
        if (!Stages.TryGetValue(Depth, out var stages))
            throw new ArgumentException($"VGG depth must be 11, 13, 16 or 19; it is {Depth}.", nameof(Depth));
        int[] filters = [64, 128, 256, 512, 512];
        var features = new List<Layer>();
        for (int s = 0; s < stages.Length; s++)
        {
            for (int c = 0; c < stages[s]; c++)
            {
                features.Add(Conv2D(filters[s], 3));
                if (BatchNorm) features.Add(MLToolkit.Layers.BatchNorm());
                features.Add(ReLU());
            }
            features.Add(MaxPool(2, ceilMode: true));
        }
        return AlexNet.ClassicHead(features, input, DenseUnits, Dropout, pooledSize: 7, dropoutAfter: true);
    }
}
