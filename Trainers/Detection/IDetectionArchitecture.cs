using MLToolkit.Trainers.Networks;

namespace MLToolkit.Trainers.Detection;

/// <summary>
/// A network design for grid object detection: <see cref="IArchitecture.Build"/> gives a network that maps
/// N × C × H × W images to N × (5 + classes) × H/<see cref="Stride"/> × W/<see cref="Stride"/> numbers (see <see cref="GridTargets"/>).
/// </summary>
public interface IDetectionArchitecture : IArchitecture
{
    /// <summary>Pixels per grid cell.</summary>
    int Stride { get; }
}
