using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Augmentation;

/// <summary>
/// Random crop with zero padding: pads each side by <see cref="Padding"/> pixels and crops back to
/// the original size at a random position — a shift by a whole number of pixels in
/// [−padding, padding] on each axis (the CIFAR recipe).
/// </summary>
public sealed record RandomCrop : IAugmentation
{
    /// <summary>Creates the step.</summary>
    /// <exception cref="ArgumentException">The padding is negative or larger than 64.</exception>
    public RandomCrop(int padding = 4)
    {
        RandomDraws.Require(padding, 0, 64, nameof(padding));
        Padding = padding;
    }

    /// <summary>Pixels of zero padding on each side.</summary>
    public int Padding { get; }

    /// <inheritdoc />
    public Tensor Apply(Tensor images, Generator generator)
    {
        long n = images.shape[0], height = images.shape[2], width = images.shape[3];
        var dx = torch.randint(-Padding, Padding + 1, new[] { n }, generator: generator).to(ScalarType.Float32).to(images.device);
        var dy = torch.randint(-Padding, Padding + 1, new[] { n }, generator: generator).to(ScalarType.Float32).to(images.device);
        var none = torch.zeros(n, device: images.device);
        var one = torch.ones(n, device: images.device);
        // Whole-pixel shifts sampled with nearest neighbour move pixels exactly.
        return AffineSampling.Apply(images, none, one, dx * (2.0 / width), dy * (2.0 / height), GridSampleMode.Nearest);
    }
}
