using static TorchSharp.torch;

namespace MLToolkit.Trainers.Augmentation;

/// <summary>
/// Brightness and contrast jitter: per image, scales the deviation from the image's mean by a factor
/// in 1 ± <see cref="Contrast"/> and adds an offset in ± <see cref="Brightness"/>; values stay in [0, 1].
/// </summary>
public sealed record BrightnessContrast : IAugmentation
{
    /// <summary>Creates the step.</summary>
    /// <exception cref="ArgumentException">A range is out of bounds.</exception>
    public BrightnessContrast(double brightness = 0.2, double contrast = 0.2)
    {
        RandomDraws.Require(brightness, 0, 1, nameof(brightness));
        RandomDraws.Require(contrast, 0, 1, nameof(contrast));
        (Brightness, Contrast) = (brightness, contrast);
    }

    /// <summary>Largest added offset, either way.</summary>
    public double Brightness { get; }

    /// <summary>Largest relative change of contrast, either way.</summary>
    public double Contrast { get; }

    /// <inheritdoc />
    public Tensor Apply(Tensor images, Generator generator)
    {
        long n = images.shape[0];
        var offset = RandomDraws.Uniform(n, -Brightness, Brightness, generator, images).reshape(-1, 1, 1, 1);
        var factor = RandomDraws.Uniform(n, 1 - Contrast, 1 + Contrast, generator, images).reshape(-1, 1, 1, 1);
        var mean = images.mean(new long[] { 1, 2, 3 }, keepdim: true);
        return ((images - mean) * factor + mean + offset).clamp(0, 1);
    }
}
