using MLToolkit.Trainers.Networks;

namespace MLToolkit.Trainers.Segmentation;

/// <summary>
/// A network design for semantic segmentation: <see cref="IArchitecture.Build"/> gives a network that maps
/// N × C × H × W images to N × classes × H × W scores, one set per pixel.
/// </summary>
public interface ISegmentationArchitecture : IArchitecture
{
}
