using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers.Modules;

/// <summary>N × C × H × W → N × C: the mean of each channel.</summary>
internal sealed class GlobalAvgPoolModule : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the module.</summary>
    public GlobalAvgPoolModule() : base("GlobalAvgPool") { }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => input.mean([2L, 3L]);
}
