using MLToolkit.Datasets.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Networks;

/// <summary>
/// A network design that can be built for a given input shape and number of classes. Implementations
/// are small immutable records: their public properties are the design's settings, which is what a
/// saved model stores (with <see cref="Name"/>) to rebuild the network before loading its weights.
/// </summary>
public interface IArchitecture
{
    /// <summary>The registered name of the design (see <see cref="ArchitectureRegistry"/>).</summary>
    string Name { get; }

    /// <summary>Builds a fresh network mapping a batch N × C × H × W to N × <paramref name="classes"/> logits.</summary>
    nn.Module<Tensor, Tensor> Build(ImageShape input, int classes);
}
