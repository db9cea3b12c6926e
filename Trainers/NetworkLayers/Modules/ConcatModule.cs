using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers.Modules;

/// <summary>The module of <see cref="Concat"/>: branch outputs concatenated along the channels.</summary>
internal sealed class ConcatModule : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor>[] _branches;

    /// <summary>The branches in concatenation order.</summary>
    internal IReadOnlyList<nn.Module<Tensor, Tensor>> Branches => _branches;

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
