using MLToolkit.Datasets.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Scoring;

/// <summary>
/// Turns images into class probabilities with one or more trained networks (in evaluation mode:
/// batch norm uses its running statistics and dropout is off). Several networks form an ensemble
/// whose probabilities are averaged. Safe to call from several threads at once.
/// </summary>
public sealed class NetworkScorer : IDisposable
{
    readonly IReadOnlyList<nn.Module<Tensor, Tensor>> _networks;
    readonly Device _device;

    /// <summary>Wraps trained networks that all map <paramref name="shape"/> to <paramref name="classes"/> logits.</summary>
    public NetworkScorer(IReadOnlyList<nn.Module<Tensor, Tensor>> networks, ImageShape shape, int classes, Device device)
    {
        if (networks.Count == 0) throw new ArgumentException("At least one network is needed.", nameof(networks));
        (_networks, Shape, Classes, _device) = (networks, shape, classes, device);
        foreach (var network in networks) network.eval();
    }

    /// <summary>The networks, in evaluation mode.</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Networks => _networks;

    /// <summary>Shape of one input image.</summary>
    public ImageShape Shape { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Class probabilities of <paramref name="count"/> images laid one after another in <paramref name="images"/>.</summary>
    /// <returns>count × classes probabilities, row-major.</returns>
    public float[] Score(ReadOnlySpan<float> images, int count)
    {
        if (images.Length != (long)count * Shape.Size)
            throw new ArgumentException($"Expected {count} images of {Shape.Size} values ({Shape}); got {images.Length} values.", nameof(images));
        // Grad mode and dispose scopes are per thread, so each call sets up its own.
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var input = torch.tensor(images.ToArray(), new long[] { count, Shape.Channels, Shape.Height, Shape.Width }).to(_device);
        Tensor? sum = null;
        foreach (var network in _networks)
        {
            var probabilities = nn.functional.softmax(network.call(input), 1);
            sum = sum is null ? probabilities : sum.add_(probabilities);
        }
        var mean = _networks.Count == 1 ? sum! : sum!.div_(_networks.Count);
        return mean.cpu().data<float>().ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var network in _networks) network.Dispose();
    }
}
