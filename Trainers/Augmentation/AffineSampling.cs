using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Augmentation;

/// <summary>Resamples a batch through one 2×3 affine matrix per image (rotation, scale, shift), filling with zeros.</summary>
static class AffineSampling
{
    /// <summary>
    /// Applies, per image, the map from output to input coordinates given by angle (radians),
    /// scale and shift (in normalized coordinates, where the image spans [-1, 1]).
    /// </summary>
    public static Tensor Apply(Tensor images, Tensor angle, Tensor scale, Tensor shiftX, Tensor shiftY,
        GridSampleMode mode = GridSampleMode.Bilinear)
    {
        var cos = angle.cos() / scale;
        var sin = angle.sin() / scale;
        // Rows of theta: [cos, -sin, tx] and [sin, cos, ty]; the grid maps output pixels to input pixels.
        var theta = torch.stack(new[] { cos, -sin, shiftX, sin, cos, shiftY }, 1).reshape(-1, 2, 3);
        var grid = nn.functional.affine_grid(theta, images.shape, align_corners: false);
        return nn.functional.grid_sample(images, grid, mode, GridSamplePaddingMode.Zeros, align_corners: false);
    }
}
