using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Layers.Modules;

/// <summary>The module of <see cref="Residual"/>: after(body(x) + shortcut(x)).</summary>
/// <remarks>
/// Composite modules open no dispose scope of their own: an auxiliary classifier inside them must
/// hand its logits to the caller's (batch) scope, and that scope frees the intermediates anyway.
/// </remarks>
public sealed class ResidualModule : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> _body;
    readonly nn.Module<Tensor, Tensor>? _shortcut, _after;

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

/// <summary>The module of <see cref="Concat"/>: branch outputs concatenated along the channels.</summary>
public sealed class ConcatModule : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor>[] _branches;

    /// <summary>Creates the module from named branches.</summary>
    public ConcatModule(IEnumerable<(string Name, nn.Module<Tensor, Tensor> Module)> branches) : base("Concat")
    {
        var list = branches.ToArray();
        _branches = list.Select(b => b.Module).ToArray();
        foreach (var (name, module) in list) register_module(name, module);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        return torch.cat(_branches.Select(b => b.call(input)).ToArray(), 1);
    }
}

/// <summary>The module of <see cref="DualPath"/>.</summary>
public sealed class DualPathModule : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> _body;
    readonly nn.Module<Tensor, Tensor>? _shortcut;
    readonly long _residual;

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

/// <summary>The module of <see cref="PadShortcut"/>: subsample, then append zero channels.</summary>
public sealed class PadShortcutModule : nn.Module<Tensor, Tensor>
{
    readonly long _extraChannels;
    readonly int _stride;

    /// <summary>Creates the module.</summary>
    public PadShortcutModule(long extraChannels, int stride) : base("PadShortcut") => (_extraChannels, _stride) = (extraChannels, stride);

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var x = _stride == 1 ? input : input.slice(2, 0, input.shape[2], _stride).slice(3, 0, input.shape[3], _stride);
        long before = _extraChannels / 2;
        // F.pad's list runs from the last dimension: (W left, W right, H top, H bottom, C front, C back).
        return nn.functional.pad(x, [0, 0, 0, 0, before, _extraChannels - before]);
    }
}
