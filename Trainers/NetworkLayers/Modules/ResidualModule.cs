using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers.Modules;

/// <summary>The module of <see cref="Residual"/>: after(body(x) + shortcut(x)).</summary>
/// <remarks>
/// Composite modules open no dispose scope of their own: an auxiliary classifier inside them must
/// hand its logits to the caller's (batch) scope, and that scope frees the intermediates anyway.
/// </remarks>
internal sealed class ResidualModule : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> _body;
    readonly nn.Module<Tensor, Tensor>? _shortcut, _after;

    /// <summary>The body, the shortcut (null: identity) and what follows the sum (null: nothing), for the ONNX exporter.</summary>
    internal (nn.Module<Tensor, Tensor> Body, nn.Module<Tensor, Tensor>? Shortcut, nn.Module<Tensor, Tensor>? After) Parts => (_body, _shortcut, _after);

    /// <summary>Creates the module; a null shortcut is the identity, a null <paramref name="after"/> does nothing.</summary>
    public ResidualModule(nn.Module<Tensor, Tensor> body, nn.Module<Tensor, Tensor>? shortcut, nn.Module<Tensor, Tensor>? after) : base("Residual")
    {
        (_body, _shortcut, _after) = (body, shortcut, after);
        register_module("body", body);
        if (shortcut is not null) register_module("shortcut", shortcut);
        if (after is not null) register_module("after", after);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var sum = _body.call(input) + (_shortcut?.call(input) ?? input);
        return (_after?.call(sum) ?? sum);
    }
}
