using MLToolkit.Trainers.Networks;

namespace MLToolkit.Trainers.Detection;

/// <summary>
/// A network design for grid object detection: <see cref="IArchitecture.Build"/> gives a network that maps
/// N × C × H × W images to N × (5 + classes) × H/stride × W/stride numbers (see <see cref="GridTargets"/>).
/// </summary>
public interface IDetectionArchitecture : IArchitecture
{
    /// <summary>Pixels per grid cell on images of <paramref name="input"/> (zoo backbones choose their stem by the image size).</summary>
    int StrideFor(Datasets.Images.ImageShape input);
}
