using static TorchSharp.torch;

namespace MLToolkit.Trainers.Training;

/// <summary>
/// The random numbers that layers draw while training (dropout masks, stochastic pooling's picks), one stream per
/// training run. libtorch's own dropout draws from its one global generator; two ensemble members training at once
/// would interleave their draws there, and neither would be the model its seed promises. The training loop sets
/// <see cref="Current"/> for its thread, and the layers read it.
/// </summary>
internal static class LayerDraws
{
    [ThreadStatic] static Generator? _current;

    /// <summary>
    /// The generator of the run training on this thread; null outside training (a network called in training mode
    /// by other code then draws from torch's global generator, as libtorch's layers do).
    /// </summary>
    public static Generator? Current => _current;

    /// <summary>Makes <paramref name="generator"/> this thread's stream until the returned scope is disposed.</summary>
    public static Scope Use(Generator generator)
    {
        var previous = _current;
        _current = generator;
        return new Scope(previous);
    }

    /// <summary>Restores the stream that was current before <see cref="Use"/>.</summary>
    public readonly struct Scope(Generator? previous) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => _current = previous;
    }
}
