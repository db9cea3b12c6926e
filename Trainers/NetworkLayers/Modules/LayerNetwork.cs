using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers.Modules;

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
    public LayerNetwork(Layer body, long[] input, BuildContext context, InputNormalization? normalization = null) : base("LayerNetwork")
    {
        var output = body.OutputShape(input);
        if (output.Length != 1 || (output[0] != ClassifierOutput.ClassesPlaceholder && output[0] != context.Classes))
            throw new ArgumentException($"The network gives [{Layer.ShapeText(output)}] per image but must give one score per class " +
                                        $"([{context.Classes}]); end it with Layers.Output().");
        _body = body.Build(input, context);
        Auxiliary = context.Auxiliary;
        // Registered after the body so that the names of the body's weights do not change with it.
        register_module("body", _body);
        if (normalization is not null) register_module("input", _input = normalization.Build(input[0]));
    }

    /// <inheritdoc />
    public AuxiliaryLogits Auxiliary { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        Auxiliary.Clear();
        return _body.call(_input is null ? input : _input.call(input));
    }
}
