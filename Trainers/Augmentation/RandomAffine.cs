using static TorchSharp.torch;

namespace MLToolkit.Trainers.Augmentation;

/// <summary>
/// Random rotation (± <see cref="RotationDegrees"/>), shift (± <see cref="Shift"/> of the image
/// size on each axis) and zoom (scale in 1 ± <see cref="Zoom"/>), drawn per image and applied
/// as one bilinear resampling. Keras' RandomRotation/RandomTranslation/RandomZoom in one step.
/// </summary>
public sealed record RandomAffine : IAugmentation
{
    /// <summary>Creates the step; every range must be non-negative (and zoom below 1).</summary>
    /// <exception cref="ArgumentException">A range is out of bounds.</exception>
    public RandomAffine(double rotationDegrees = 0, double shift = 0, double zoom = 0)
    {
        RandomDraws.Require(rotationDegrees, 0, 180, nameof(rotationDegrees));
        RandomDraws.Require(shift, 0, 1, nameof(shift));
        RandomDraws.Require(zoom, 0, 0.9, nameof(zoom));
        (RotationDegrees, Shift, Zoom) = (rotationDegrees, shift, zoom);
    }

    /// <summary>Largest rotation, in degrees, either way.</summary>
    public double RotationDegrees { get; }

    /// <summary>Largest shift as a fraction of width/height, either way.</summary>
    public double Shift { get; }

    /// <summary>Largest relative change of scale, either way.</summary>
    public double Zoom { get; }

    /// <inheritdoc />
    public Tensor Apply(Tensor images, Generator generator)
    {
        long n = images.shape[0];
        double radians = RotationDegrees * Math.PI / 180;
        var angle = RandomDraws.Uniform(n, -radians, radians, generator, images);
        var scale = RandomDraws.Uniform(n, 1 - Zoom, 1 + Zoom, generator, images);
        // A shift of a fraction f of the size is 2f in normalized coordinates.
        var shiftX = RandomDraws.Uniform(n, -2 * Shift, 2 * Shift, generator, images);
        var shiftY = RandomDraws.Uniform(n, -2 * Shift, 2 * Shift, generator, images);
        return AffineSampling.Apply(images, angle, scale, shiftX, shiftY);
    }
}
