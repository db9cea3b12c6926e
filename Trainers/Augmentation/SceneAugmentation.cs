using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Augmentation;

/// <summary>
/// Augmentation of scenes whose labels are tied to positions (segmentation masks): each training image and
/// its mask go through the same random flip, shift and scale. Images are resampled bilinearly, masks with
/// nearest neighbour (a class index is never interpolated); pixels brought in from outside the image
/// become "ignore" (255) in the mask, so nothing is trained on invented content.
/// </summary>
/// <param name="FlipHorizontal">Mirror half of the images left to right (not for digits or text).</param>
/// <param name="Shift">Largest shift, as a fraction of the width and height.</param>
/// <param name="Scale">Largest zoom in or out, as a fraction (0.1: 90%–110%).</param>
public sealed record SceneAugmentation(bool FlipHorizontal = false, double Shift = 0.1, double Scale = 0.1)
{
    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">Shift or scale outside [0, 0.5].</exception>
    public void Validate()
    {
        if (Shift is < 0 or > 0.5) throw new ArgumentException($"SceneAugmentation.Shift must be in [0, 0.5]; it is {Shift}.");
        if (Scale is < 0 or > 0.5) throw new ArgumentException($"SceneAugmentation.Scale must be in [0, 0.5]; it is {Scale}.");
    }

    /// <summary>One draw per image, the same for the image and its mask (N × H × W class indices).</summary>
    internal (Tensor Images, Tensor Masks) Apply(Tensor images, Tensor masks, Generator draws)
    {
        long n = images.shape[0];
        var zoom = RandomDraws.Uniform(n, 1 - Scale, 1 + Scale, draws, images);
        // Normalised coordinates span [-1, 1]: a shift of a fraction f of the size is 2f there.
        var dx = RandomDraws.Uniform(n, -2 * Shift, 2 * Shift, draws, images);
        var dy = RandomDraws.Uniform(n, -2 * Shift, 2 * Shift, draws, images);
        var mirror = FlipHorizontal ? RandomDraws.Chance(n, 0.5, draws, images).to(ScalarType.Float32) * -2 + 1 : torch.ones(n, device: images.device);
        var zeros = torch.zeros(n, device: images.device);
        // Output pixel (x, y) samples input (mirror·x/zoom + dx, y/zoom + dy).
        var theta = torch.stack(new[] { mirror / zoom, zeros, dx, zeros, 1 / zoom, dy }, 1).reshape(-1, 2, 3);
        var grid = nn.functional.affine_grid(theta, images.shape, align_corners: false);
        var movedImages = nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
        // Shifted by one so that the zero padding stands apart from class 0; it becomes 255 (ignore).
        var shifted = (masks + 1).unsqueeze(1).to(ScalarType.Float32);
        var moved = nn.functional.grid_sample(shifted, grid, GridSampleMode.Nearest, GridSamplePaddingMode.Zeros, align_corners: false)
            .squeeze(1).round().to(ScalarType.Int64);
        var movedMasks = torch.where(moved.eq(0), torch.full_like(moved, 255), moved - 1);
        return (movedImages, movedMasks);
    }
}
