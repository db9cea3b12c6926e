using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>
/// One building block of a network, in the spirit of a Keras layer: an immutable description that
/// knows the shape it produces and builds its TorchSharp module once the input shape is known, so
/// that nobody has to work out "in_channels" or flattened sizes by hand. Layers are records whose
/// settings are saved with a model (as JSON) to rebuild the network before its weights are loaded.
/// </summary>
/// <remarks>
/// Shapes are per sample, without the batch dimension: [C, H, W] for images, [F] for features.
/// Composite layers (<see cref="Sequence"/>, <see cref="Residual"/>, <see cref="Concat"/>,
/// <see cref="DualPath"/>, <see cref="AuxiliaryOutput"/>) make non-sequential graphs.
/// </remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "layer")]
[JsonDerivedType(typeof(Conv2D), "conv2d")]
[JsonDerivedType(typeof(Dense), "dense")]
[JsonDerivedType(typeof(ClassifierOutput), "output")]
[JsonDerivedType(typeof(BatchNorm), "batch_norm")]
[JsonDerivedType(typeof(Dropout), "dropout")]
[JsonDerivedType(typeof(Pool), "pool")]
[JsonDerivedType(typeof(GlobalAvgPool), "global_avg_pool")]
[JsonDerivedType(typeof(AdaptiveAvgPool), "adaptive_avg_pool")]
[JsonDerivedType(typeof(StochasticPool), "stochastic_pool")]
[JsonDerivedType(typeof(LocalResponseNorm), "lrn")]
[JsonDerivedType(typeof(Flatten), "flatten")]
[JsonDerivedType(typeof(Activation), "activation")]
[JsonDerivedType(typeof(Identity), "identity")]
[JsonDerivedType(typeof(Sequence), "sequence")]
[JsonDerivedType(typeof(Residual), "residual")]
[JsonDerivedType(typeof(Concat), "concat")]
[JsonDerivedType(typeof(DualPath), "dual_path")]
[JsonDerivedType(typeof(PadShortcut), "pad_shortcut")]
[JsonDerivedType(typeof(AuxiliaryOutput), "auxiliary_output")]
[JsonDerivedType(typeof(ConvTranspose2D), "conv_transpose2d")]
[JsonDerivedType(typeof(Upsample), "upsample")]
[JsonDerivedType(typeof(PixelClassifier), "pixel_classifier")]
[JsonDerivedType(typeof(CropToInput), "crop_to_input")]
[JsonDerivedType(typeof(Detection.GridOutput), "grid_output")]
public abstract record Layer
{
    /// <summary>Short lower-case name of the layer kind, used to name modules in summaries (conv2d_3, dense_1…).</summary>
    [JsonIgnore]
    public abstract string Kind { get; }

    /// <summary>The per-sample shape this layer produces from a per-sample <paramref name="input"/> shape.</summary>
    /// <exception cref="ArgumentException">The input shape does not suit the layer (the message names the layer and the shape).</exception>
    public abstract long[] OutputShape(long[] input);

    /// <summary>Builds the module for a per-sample <paramref name="input"/> shape.</summary>
    public abstract nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context);

    /// <summary>Throws a clear error unless <paramref name="input"/> is an image shape [C, H, W].</summary>
    protected void RequireImage(long[] input)
    {
        if (input.Length != 3)
            throw new ArgumentException($"{Kind} needs an image input [channels, height, width]; it got [{ShapeText(input)}]. " +
                                        "Put it before Flatten/GlobalAvgPool, not after.");
    }

    /// <summary>Formats a shape as "C, H, W".</summary>
    public static string ShapeText(long[] shape) => string.Join(", ", shape);
}
