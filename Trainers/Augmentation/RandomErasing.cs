using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Augmentation;

/// <summary>
/// Random erasing (cutout): with probability <see cref="Probability"/>, sets a rectangle covering
/// between <see cref="MinArea"/> and <see cref="MaxArea"/> of the image (aspect ratio 1/3 to 3) to zero.
/// </summary>
public sealed record RandomErasing : IAugmentation
{
    /// <summary>Creates the step.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public RandomErasing(double probability = 0.5, double minArea = 0.02, double maxArea = 0.2)
    {
        RandomDraws.Require(probability, 0, 1, nameof(probability));
        RandomDraws.Require(minArea, 0, 1, nameof(minArea));
        RandomDraws.Require(maxArea, minArea, 1, nameof(maxArea));
        (Probability, MinArea, MaxArea) = (probability, minArea, maxArea);
    }

    /// <summary>Chance that an image gets a rectangle erased.</summary>
    public double Probability { get; }

    /// <summary>Smallest erased share of the image.</summary>
    public double MinArea { get; }

    /// <summary>Largest erased share of the image.</summary>
    public double MaxArea { get; }

    /// <inheritdoc />
    public Tensor Apply(Tensor images, Generator generator)
    {
        long n = images.shape[0], height = images.shape[2], width = images.shape[3];
        var area = RandomDraws.Uniform(n, MinArea, MaxArea, generator, images) * (height * width);
        var logRatio = RandomDraws.Uniform(n, Math.Log(1.0 / 3), Math.Log(3), generator, images);
        var h = (area * logRatio.exp()).sqrt().clamp(1, height);
        var w = (area / logRatio.exp()).sqrt().clamp(1, width);
        var top = RandomDraws.Uniform(n, 0, 1, generator, images) * (height - h);
        var left = RandomDraws.Uniform(n, 0, 1, generator, images) * (width - w);
        var apply = RandomDraws.Chance(n, Probability, generator, images);

        var rows = torch.arange(height, device: images.device).reshape(1, -1, 1);
        var cols = torch.arange(width, device: images.device).reshape(1, 1, -1);
        var inside = rows.ge(top.reshape(-1, 1, 1)) & rows.lt((top + h).reshape(-1, 1, 1))
                   & cols.ge(left.reshape(-1, 1, 1)) & cols.lt((left + w).reshape(-1, 1, 1))
                   & apply.reshape(-1, 1, 1);
        return images.masked_fill(inside.unsqueeze(1), 0);
    }
}
