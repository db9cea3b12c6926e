using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Augmentation;

/// <summary>Mirrors each image left-right with probability <see cref="Probability"/> (not for digits or text).</summary>
public sealed record RandomHorizontalFlip : IAugmentation
{
    /// <summary>Creates the step.</summary>
    /// <exception cref="ArgumentException">The probability is outside [0, 1].</exception>
    public RandomHorizontalFlip(double probability = 0.5)
    {
        RandomDraws.Require(probability, 0, 1, nameof(probability));
        Probability = probability;
    }

    /// <summary>Chance that an image is flipped.</summary>
    public double Probability { get; }

    /// <inheritdoc />
    public Tensor Apply(Tensor images, Generator generator)
    {
        var flip = RandomDraws.Chance(images.shape[0], Probability, generator, images).reshape(-1, 1, 1, 1);
        return torch.where(flip, images.flip(3), images);
    }
}
