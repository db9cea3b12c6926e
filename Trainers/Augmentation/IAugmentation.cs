using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Augmentation;

/// <summary>
/// One random image transformation applied to a whole training batch (N × C × H × W) as tensor
/// operations, with a fresh draw per image. Implementations are immutable records so that a
/// policy can be stored as JSON (with the model and in the pipeline's schema).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(RandomAffine), "affine")]
[JsonDerivedType(typeof(RandomHorizontalFlip), "horizontal-flip")]
[JsonDerivedType(typeof(RandomCrop), "crop")]
[JsonDerivedType(typeof(RandomErasing), "erasing")]
[JsonDerivedType(typeof(BrightnessContrast), "brightness-contrast")]
public interface IAugmentation
{
    /// <summary>Returns the transformed batch; <paramref name="images"/> is left unchanged.</summary>
    Tensor Apply(Tensor images, Generator generator);
}
