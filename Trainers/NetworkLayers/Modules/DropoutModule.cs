using MLToolkit.Trainers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers.Modules;

/// <summary>
/// The module of <see cref="Dropout"/>: inverted dropout whose masks come from the training run's own stream
/// (<see cref="LayerDraws"/>), so that a member trained beside another is the model it is alone.
/// </summary>
internal sealed class DropoutModule : nn.Module<Tensor, Tensor>
{
    /// <summary>The share of values dropped while training.</summary>
    public double Rate { get; }

    /// <summary>Creates the module for <paramref name="rate"/> in [0, 1).</summary>
    public DropoutModule(double rate) : base("Dropout") => Rate = rate;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        // A new handle, as libtorch's layers return: Sequential disposes each layer's input once the next is done.
        if (!training || Rate == 0) return input.alias();
        using var scope = torch.NewDisposeScope();
        var keep = torch.empty_like(input).bernoulli_(1 - Rate, LayerDraws.Current);
        return input.mul(keep).div_(1 - Rate).MoveToOuterDisposeScope();
    }
}
