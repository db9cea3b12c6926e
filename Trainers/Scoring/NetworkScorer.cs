using MLToolkit.Datasets.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Scoring;

/// <summary>
/// Turns images into class probabilities with one or more trained networks (in evaluation mode:
/// batch norm uses its running statistics and dropout is off). Several networks form an ensemble,
/// combined as <see cref="Settings"/> says; optional test-time augmentation averages extra views.
/// Safe to call from several threads at once, and deterministic.
/// </summary>
public sealed class NetworkScorer : IDisposable
{
    readonly IReadOnlyList<nn.Module<Tensor, Tensor>> _networks;
    // What scores: the networks with batch norm folded into the layer before it where they allow it (fewer
    // operations per image; the trained networks stay as they are for saving and export).
    // Made at the first scoring: detectors and members' own scorers may never score.
    readonly Lazy<IReadOnlyList<nn.Module<Tensor, Tensor>>> _folded;
    readonly List<nn.Module> _foldedModules = [];
    readonly Device _device;
    // Made at the first single-image call (an export and a session: tens of milliseconds), only if one is made.
    readonly Lazy<OnnxSingleImage?> _single;

    /// <summary>Wraps trained networks that all map <paramref name="shape"/> to <paramref name="classes"/> logits.</summary>
    /// <exception cref="ArgumentException">No network, or settings that do not fit them.</exception>
    public NetworkScorer(IReadOnlyList<nn.Module<Tensor, Tensor>> networks, ImageShape shape, int classes, Device device,
        ScoringSettings? settings = null)
    {
        if (networks.Count == 0) throw new ArgumentException("At least one network is needed.", nameof(networks));
        Settings = settings ?? new ScoringSettings();
        Settings.Validate(networks.Count);
        (_networks, Shape, Classes, _device) = (networks, shape, classes, device);
        foreach (var network in networks) network.eval();
        _folded = new(() => networks.Select(network => BatchNormFolding.Fold(network, _foldedModules)).ToList());
        _single = new Lazy<OnnxSingleImage?>(SingleImageSession);
    }

    /// <summary>The device the networks live on and score on.</summary>
    public Device Device => _device;

    /// <summary>The networks, in evaluation mode.</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Networks => _networks;

    /// <summary>Shape of one input image.</summary>
    public ImageShape Shape { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>How members and views are combined.</summary>
    public ScoringSettings Settings { get; }

    /// <summary>Class probabilities of <paramref name="count"/> images laid one after another in <paramref name="images"/>.</summary>
    /// <returns>count × classes probabilities, row-major.</returns>
    public float[] Score(ReadOnlySpan<float> images, int count)
    {
        if (images.Length != (long)count * Shape.Size)
            throw new ArgumentException($"Expected {count} images of {Shape.Size} values ({Shape}); got {images.Length} values.", nameof(images));
        // Grad mode and dispose scopes are per thread, so each call sets up its own. Inference mode, not only
        // no_grad: its tensors skip autograd's version counting, which is a measurable share of one image's pass.
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        var input = torch.tensor(images.ToArray(), new long[] { count, Shape.Channels, Shape.Height, Shape.Width }).to(_device);
        var sum = Combine(input);
        if (Settings.TestTimeViews > 0)
        {
            foreach (var view in TestTimeViews(input, count))
                sum = sum.add_(Combine(view));
            sum = sum.div_(Settings.TestTimeViews + 1);
        }
        return sum.cpu().data<float>().ToArray();
    }

    /// <summary>
    /// Class probabilities of one image of a classifier, as <c>PredictionEngine</c> asks for them: through ONNX Runtime
    /// where the networks export (about a quarter of libtorch's time for one image, see <see cref="OnnxSingleImage"/>),
    /// otherwise as <see cref="Score"/> does. The two agree to about 1e-6.
    /// </summary>
    public float[] ScoreOne(float[] image)
    {
        if (image.Length != Shape.Size)
            throw new ArgumentException($"Expected one image of {Shape.Size} values ({Shape}); got {image.Length} values.", nameof(image));
        return _single.Value?.Score(image) ?? Score(image, 1);
    }

    /// <summary>
    /// The ONNX Runtime session for <see cref="ScoreOne"/>, or null: whatever keeps one from being made (a layer the
    /// exporter does not know, or ONNX Runtime missing where an app or notebook loads the toolkit's assembly without its
    /// dependencies) leaves single images to libtorch, which scores them as it scores batches. Not inlined, so that a
    /// missing ONNX Runtime assembly fails inside the try and not while this method is compiled.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    OnnxSingleImage? SingleImageSession()
    {
        try
        {
            return OnnxSingleImage.TryCreate(this);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>The networks as they score (batch norms folded where they allow it).</summary>
    internal IReadOnlyList<nn.Module<Tensor, Tensor>> ScoringNetworks => _folded.Value;

    /// <summary>Whether <see cref="ScoreOne"/> goes through ONNX Runtime (made on first use, so this may export the networks).</summary>
    internal bool ScoresSingleImagesWithOnnx => _single.Value is not null;

    /// <summary>
    /// The augmented views of a batch, one tensor per view. Each image draws its views from its own
    /// generator with a fixed seed, so an image gets the same views (and the same prediction) whatever
    /// batch it is scored in: <c>Transform</c> and <c>PredictionEngine</c> agree.
    /// </summary>
    IEnumerable<Tensor> TestTimeViews(Tensor input, int count)
    {
        var views = Enumerable.Range(0, Settings.TestTimeViews).Select(_ => new Tensor[count]).ToArray();
        for (int i = 0; i < count; i++)
        {
            using var draws = new Generator(12345);
            var image = input.narrow(0, i, 1);
            for (int view = 0; view < views.Length; view++)
                views[view][i] = Settings.TestTimePolicy!.Apply(image, draws);
        }
        return views.Select(images => torch.cat(images, 0));
    }

    /// <summary>The combined class probabilities of all members for one view of the batch.</summary>
    Tensor Combine(Tensor input)
    {
        var weights = Settings.Weights ?? Enumerable.Repeat(1.0, _networks.Count).ToArray();
        double total = weights.Sum();
        Tensor? sum = null;
        input = Backend.ChannelsLast.Of(input);
        for (int i = 0; i < _networks.Count; i++)
        {
            if (weights[i] == 0) continue;
            var probabilities = nn.functional.softmax(_folded.Value[i].call(input), 1);
            var contribution = Settings.Combination == EnsembleCombination.MajorityVote
                ? nn.functional.one_hot(probabilities.argmax(1), Classes).to(ScalarType.Float32)
                : probabilities;
            // A lone network's share is 1: multiplying by it would only cost an operation per prediction.
            if (weights[i] != total) contribution = contribution.mul(weights[i] / total);
            sum = sum is null ? contribution : sum.add_(contribution);
        }
        return sum!;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var network in _networks) network.Dispose();
        // Only the folding's own layers: a folded Sequential's other children are the trained networks' (disposed above),
        // and disposing a module disposes its children.
        if (_folded.IsValueCreated)
            foreach (var module in _foldedModules.Where(m => m is not TorchSharp.Modules.Sequential)) module.Dispose();
        if (_single.IsValueCreated) _single.Value?.Dispose();
    }
}
