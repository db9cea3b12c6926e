using MLToolkit.Trainers.Augmentation;

namespace MLToolkit;

/// <summary>Factory methods for augmentation steps (pass them to <c>ml.Transforms.Augment</c>).</summary>
public static class Augmentations
{
    /// <summary>Random rotation (± degrees), shift (± fraction of the size) and zoom (scale 1 ± zoom) in one resampling.</summary>
    public static RandomAffine RandomAffine(double rotationDegrees = 0, double shift = 0, double zoom = 0) => new(rotationDegrees, shift, zoom);

    /// <summary>Random rotation by up to ± <paramref name="degrees"/>.</summary>
    public static RandomAffine RandomRotation(double degrees) => new(rotationDegrees: degrees);

    /// <summary>Random shift by up to ± <paramref name="fraction"/> of the width and height.</summary>
    public static RandomAffine RandomShift(double fraction) => new(shift: fraction);

    /// <summary>Random zoom: scale in 1 ± <paramref name="fraction"/>.</summary>
    public static RandomAffine RandomZoom(double fraction) => new(zoom: fraction);

    /// <summary>Left-right mirror with probability <paramref name="probability"/> (off for digits).</summary>
    public static RandomHorizontalFlip RandomHorizontalFlip(double probability = 0.5) => new(probability);

    /// <summary>Zero-pad by <paramref name="padding"/> pixels and crop back at a random position.</summary>
    public static RandomCrop RandomCrop(int padding = 4) => new(padding);

    /// <summary>Erase a random rectangle (cutout) with probability <paramref name="probability"/>.</summary>
    public static RandomErasing RandomErasing(double probability = 0.5, double minArea = 0.02, double maxArea = 0.2) =>
        new(probability, minArea, maxArea);

    /// <summary>Brightness offset ± <paramref name="brightness"/> and contrast factor 1 ± <paramref name="contrast"/>.</summary>
    public static BrightnessContrast BrightnessContrast(double brightness = 0.2, double contrast = 0.2) => new(brightness, contrast);
}
