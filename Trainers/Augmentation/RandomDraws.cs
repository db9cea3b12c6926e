using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Augmentation;

/// <summary>Per-image random numbers for augmentations, drawn from the training run's generator.</summary>
static class RandomDraws
{
    /// <summary>N values uniform in [low, high), on the device of <paramref name="like"/>.</summary>
    public static Tensor Uniform(long n, double low, double high, Generator generator, Tensor like) =>
        (torch.rand(new[] { n }, generator: generator) * (high - low) + low).to(like.device);

    /// <summary>N booleans, each true with probability <paramref name="p"/>.</summary>
    public static Tensor Chance(long n, double p, Generator generator, Tensor like) =>
        torch.rand(new[] { n }, generator: generator).lt(p).to(like.device);

    /// <summary>Checks that <paramref name="value"/> lies in [low, high].</summary>
    public static void Require(double value, double low, double high, string name)
    {
        if (!(value >= low && value <= high))
            throw new ArgumentException($"{name} must be in [{low}, {high}]; it is {value}.", name);
    }
}
