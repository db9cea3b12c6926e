using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers.Modules;

/// <summary>The module of <see cref="PadShortcut"/>: subsample, then append zero channels.</summary>
internal sealed class PadShortcutModule : nn.Module<Tensor, Tensor>
{
    readonly long _extraChannels;
    readonly int _stride;

    /// <summary>Zero channels appended (half before, the rest after) and the subsampling stride.</summary>
    internal (long ExtraChannels, int Stride) Settings => (_extraChannels, _stride);

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
