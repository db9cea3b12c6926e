using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers.Modules;

/// <summary>
/// The logits auxiliary classifiers produced during the last training forward pass, with their loss
/// weights. The trainer adds their cross-entropy to the main loss; the tensors belong to the batch's
/// dispose scope.
/// </summary>
public sealed class AuxiliaryLogits
{
    readonly List<(Tensor Logits, double Weight)> _items = new();

    /// <summary>The outputs of the last forward pass (empty at prediction).</summary>
    public IReadOnlyList<(Tensor Logits, double Weight)> Items => _items;

    internal void Add(Tensor logits, double weight) => _items.Add((logits, weight));

    internal void Clear() => _items.Clear();
}

/// <summary>A network that produces extra outputs while training (auxiliary classifiers).</summary>
public interface IAuxiliaryOutputs
{
    /// <summary>The auxiliary logits of the last forward pass.</summary>
    AuxiliaryLogits Auxiliary { get; }
}

/// <summary>The module of <see cref="AuxiliaryOutput"/>: identity, plus the head's logits while training.</summary>
internal sealed class AuxiliaryTapModule : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> _head;
    readonly double _weight;
    readonly AuxiliaryLogits _sink;

    /// <summary>The auxiliary head (used only while training).</summary>
    internal nn.Module<Tensor, Tensor> Head => _head;

    /// <summary>Creates the module; <paramref name="sink"/> collects the head's logits.</summary>
    public AuxiliaryTapModule(nn.Module<Tensor, Tensor> head, double weight, AuxiliaryLogits sink) : base("AuxiliaryOutput")
    {
        (_head, _weight, _sink) = (head, weight, sink);
        register_module("head", head);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (training) _sink.Add(_head.call(input), _weight);
        return input.alias();
    }
}
