using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers.Modules;

/// <summary>The module of <see cref="StochasticPool"/>.</summary>
internal sealed class StochasticPoolModule : nn.Module<Tensor, Tensor>
{
    readonly int _size, _stride;

    /// <summary>Window size and stride.</summary>
    internal (int Size, int Stride) Window => (_size, _stride);

    /// <summary>Creates the module for square windows of <paramref name="size"/> at <paramref name="stride"/>.</summary>
    public StochasticPoolModule(int size, int stride) : base("StochasticPool") => (_size, _stride) = (size, stride);

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        // N × C × H' × W' × k × k windows, flattened to one row of k² values per window.
        var windows = input.unfold(2, _size, _stride).unfold(3, _size, _stride);
        var shape = windows.shape;
        var rows = windows.reshape(-1, (long)_size * _size);
        // Negative inputs have no probability; a tiny floor keeps all-zero windows valid (they pick a zero).
        var weights = rows.clamp_min(0) + 1e-12;
        var probabilities = weights / weights.sum(1, keepdim: true);
        // Picks drawn from the training run's own stream (see LayerDraws).
        Tensor pooled = training
            ? rows.gather(1, torch.multinomial(probabilities.detach(), 1, generator: Training.LayerDraws.Current)).squeeze(1)
            : (rows.clamp_min(0) * probabilities).sum(1);
        return pooled.reshape(shape[0], shape[1], shape[2], shape[3]).MoveToOuterDisposeScope();
    }
}
