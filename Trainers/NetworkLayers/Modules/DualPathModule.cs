using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers.Modules;

/// <summary>The module of <see cref="DualPath"/>.</summary>
internal sealed class DualPathModule : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> _body;
    readonly nn.Module<Tensor, Tensor>? _shortcut;
    readonly long _residual;

    /// <summary>The body, the shortcut (null: identity) and the number of summed channels.</summary>
    internal (nn.Module<Tensor, Tensor> Body, nn.Module<Tensor, Tensor>? Shortcut, long ResidualChannels) Parts => (_body, _shortcut, _residual);

    /// <summary>Creates the module; the first <paramref name="residualChannels"/> channels are summed, the rest concatenated.</summary>
    public DualPathModule(nn.Module<Tensor, Tensor> body, nn.Module<Tensor, Tensor>? shortcut, long residualChannels) : base("DualPath")
    {
        (_body, _shortcut, _residual) = (body, shortcut, residualChannels);
        register_module("body", body);
        if (shortcut is not null) register_module("shortcut", shortcut);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var path = _shortcut?.call(input) ?? input;
        var body = _body.call(input);
        var residual = path.narrow(1, 0, _residual) + body.narrow(1, 0, _residual);
        var dense = torch.cat([path.narrow(1, _residual, path.shape[1] - _residual), body.narrow(1, _residual, body.shape[1] - _residual)], 1);
        return torch.cat([residual, dense], 1);
    }
}
