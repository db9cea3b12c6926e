using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers.Modules;

/// <summary>What a network built from layers scores.</summary>
internal enum NetworkOutput
{
    /// <summary>Class scores per image.</summary>
    PerImage,
    /// <summary>Class scores per pixel (segmentation).</summary>
    PerPixel,
    /// <summary>Numbers per grid cell (detection: objectness, box and class scores).</summary>
    PerCell,
}

/// <summary>
/// The root module of a network built from layers: runs the body and exposes the auxiliary logits of
/// the pass (empty unless training a network with <see cref="AuxiliaryOutput"/> layers).
/// </summary>
internal sealed class LayerNetwork : nn.Module<Tensor, Tensor>, IAuxiliaryOutputs
{
    readonly nn.Module<Tensor, Tensor> _body;
    readonly nn.Module<Tensor, Tensor>? _input;

    /// <summary>
    /// Builds <paramref name="body"/> for <paramref name="input"/> ([C, H, W]) with <paramref name="context"/>,
    /// after <paramref name="normalization"/> of the input when given.
    /// </summary>
    /// <param name="body">The layers.</param>
    /// <param name="input">The per-image input shape.</param>
    /// <param name="context">Classes and default initialiser.</param>
    /// <param name="normalization">Input normalisation, or null.</param>
    /// <param name="kind">What the network scores: each image ([classes]), each pixel ([classes, H, W], segmentation) or each grid cell (detection).</param>
    public LayerNetwork(Layer body, long[] input, BuildContext context, InputNormalization? normalization = null, NetworkOutput kind = NetworkOutput.PerImage) : base("LayerNetwork")
    {
        var output = body.OutputShape(input);
        bool classes = output.Length > 0 && (output[0] == ClassifierOutput.ClassesPlaceholder || output[0] == context.Classes);
        bool perPixel = kind == NetworkOutput.PerPixel;
        if (kind == NetworkOutput.PerCell && output.Length != 3)
            throw new ArgumentException($"The detection network gives [{Layer.ShapeText(output)}] per image but must give numbers per grid cell ([channels, rows, columns]).");
        if (kind == NetworkOutput.PerImage && (output.Length != 1 || !classes))
            throw new ArgumentException($"The network gives [{Layer.ShapeText(output)}] per image but must give one score per class " +
                                        $"([{context.Classes}]); end it with Layers.Output().");
        if (perPixel && (output.Length != 3 || !classes || output[1] != input[1] || output[2] != input[2]))
            throw new ArgumentException($"The segmentation network gives [{Layer.ShapeText(output)}] per image but must give class scores per pixel " +
                                        $"([{context.Classes}, {input[1]}, {input[2]}]); end it with Layers.PixelClassifier() at full size.");
        _body = body.Build(input, context);
        Auxiliary = context.Auxiliary;
        // Registered after the body so that the names of the body's weights do not change with it.
        register_module("body", _body);
        if (normalization is not null) register_module("input", _input = normalization.Build(input[0]));
    }

    /// <summary>The input normalisation (or null) and the body, for the ONNX exporter.</summary>
    internal (nn.Module<Tensor, Tensor>? Input, nn.Module<Tensor, Tensor> Body) Parts => (_input, _body);

    /// <inheritdoc />
    public AuxiliaryLogits Auxiliary { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        Auxiliary.Clear();
        return _body.call(_input is null ? input : _input.call(input));
    }
}
