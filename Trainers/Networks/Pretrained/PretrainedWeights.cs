using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Networks.Zoo;
using MLToolkit.Trainers.NetworkLayers;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Networks.Pretrained;
using MLToolkit.Trainers.Onnx;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MLToolkit;

/// <summary>
/// Where a network's features start from instead of random values (<see cref="CnnOptions.Pretrained"/>):
/// the backbone takes the weights, the head gets a fresh layer with one unit per class of your data.
/// </summary>
public abstract record PretrainedWeights
{
    /// <summary>What the weights are, for logs, checkpoints and metrics.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// The architecture to build for <paramref name="input"/>: <paramref name="architecture"/> with the
    /// input normalisation the weights were trained with.
    /// </summary>
    /// <exception cref="ArgumentException">The weights do not fit the architecture or the input.</exception>
    public abstract IArchitecture Prepare(IArchitecture architecture, ImageShape input);

    /// <summary>
    /// Copies the weights into the backbone of a network built from <see cref="Prepare"/>'s architecture
    /// for <paramref name="input"/>, and gives it a fresh head with small weights.
    /// </summary>
    public void LoadInto(nn.Module<Tensor, Tensor> network, ImageShape input)
    {
        LoadBackbone(network, input);
        NetworkHead.ResetHead(network);
    }

    /// <summary>Copies the weights into the backbone (everything but the head).</summary>
    protected abstract void LoadBackbone(nn.Module<Tensor, Tensor> network, ImageShape input);

    /// <summary>
    /// ResNet-18 trained on ImageNet, from the NuGet package <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>
    /// (CNTK's model: BGR pixels in 0–255 minus the ImageNet channel means). Use with
    /// <c>Architectures.ResNet(18)</c>, RGB images of at least 64 pixels (224 is native).
    /// </summary>
    public static PretrainedWeights ImageNetResNet18() => new OnnxWeights(null, ImageNetResNet18Normalization, 18);

    /// <summary>
    /// The blocks per stage of the package's ResNet-18: CNTK's model has three blocks in its last stage
    /// where torchvision's has two (13.05M parameters with 1,000 classes instead of 11.69M).
    /// </summary>
    public static IReadOnlyList<int> ImageNetResNet18Blocks { get; } = [2, 2, 2, 3];

    /// <summary>
    /// The channel means of the package's preprocessing (<c>ResNetPreprocess.onnx</c> subtracts a 224×224
    /// mean image; these are its per-channel averages, B, G, R, so other sizes work too).
    /// </summary>
    public static InputNormalization ImageNetResNet18Normalization { get; } =
        new(255, [103.0626, 115.9029, 123.1516], [1, 1, 1], ReverseChannels: true);

    /// <summary>
    /// Weights from an ONNX file of a network of the same design (convolutions and batch norms are
    /// matched by structure); <paramref name="input"/> is the normalisation the file's network expects.
    /// </summary>
    public static PretrainedWeights FromOnnx(string path, InputNormalization? input = null) => new OnnxWeights(path, input, null);

    /// <summary>
    /// Weights saved by TorchSharp (<c>module.save</c>, or a toolkit checkpoint of the same architecture):
    /// every tensor but the head's is loaded.
    /// </summary>
    public static PretrainedWeights FromTorchSharp(string path) => new NamedWeights(path, PyTorch: false);

    /// <summary>
    /// Weights from a PyTorch state dict (<c>torch.save(model.state_dict(), path)</c>) whose names are
    /// the network's own (e.g. written by TorchSharp.PyBridge's <c>save_py</c> from a toolkit network):
    /// every tensor but the head's is loaded.
    /// </summary>
    public static PretrainedWeights FromPyTorch(string path) => new NamedWeights(path, PyTorch: true);

    /// <summary>Adds <paramref name="normalization"/> to a layered architecture; others cannot take one.</summary>
    protected static IArchitecture WithInput(IArchitecture architecture, InputNormalization? normalization) => normalization is null
        ? architecture
        : architecture is LayeredArchitecture layered
            ? layered with { Input = normalization }
            : throw new ArgumentException($"Architecture '{architecture.Name}' cannot take an input normalization; use a zoo or layered architecture.");

    sealed record OnnxWeights(string? Path, InputNormalization? Normalization, int? ResNetDepth) : PretrainedWeights
    {
        public override string Description => Path is null ? $"ImageNet ResNet-18 ({ResNet18Package.Id} {ResNet18Package.Version})" : $"ONNX {Path}";

        public override IArchitecture Prepare(IArchitecture architecture, ImageShape input)
        {
            if (ResNetDepth is { } depth)
            {
                if (architecture is not ResNet { Depth: var d } || d != depth)
                    throw new ArgumentException($"The ImageNet ResNet-{depth} weights need Architecture = Architectures.ResNet({depth}); it is '{architecture.Name}'.");
                if (input.Channels != 3)
                    throw new ArgumentException($"The ImageNet ResNet-{depth} weights need RGB images (3 channels); the data has {input.Channels}.");
                if (Math.Min(input.Height, input.Width) < 64)
                    throw new ArgumentException($"The ImageNet ResNet-{depth} weights need images of at least 64×64 pixels (224 is native); the data has {input.Height}×{input.Width}.");
                architecture = ((ResNet)architecture) with { BlocksPerStage = [.. ImageNetResNet18Blocks] };
            }
            return WithInput(architecture, Normalization);
        }

        protected override void LoadBackbone(nn.Module<Tensor, Tensor> network, ImageShape input) =>
            OnnxWeightImport.Into(network, OnnxGraph.Read(Path ?? ResNet18Package.OnnxPath()), input);
    }

    /// <summary>Weights stored by parameter name, in TorchSharp's or PyTorch's format.</summary>
    sealed record NamedWeights(string Path, bool PyTorch) : PretrainedWeights
    {
        public override string Description => $"{(PyTorch ? "PyTorch" : "TorchSharp")} {Path}";

        public override IArchitecture Prepare(IArchitecture architecture, ImageShape input) => architecture;

        protected override void LoadBackbone(nn.Module<Tensor, Tensor> network, ImageShape input)
        {
            if (!File.Exists(Path)) throw new FileNotFoundException($"Weights file '{Path}' does not exist.", Path);
            // The head has another number of classes: skip it; every other tensor must be in the file.
            var skip = NetworkHead.ParameterNames(network).ToList();
            var loaded = PyTorch ? CopyPyTorch(network, skip) : new Dictionary<string, bool>();
            if (!PyTorch)
            {
                try { network.load(Path, strict: false, skip: skip, loadedParameters: loaded); }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.Runtime.InteropServices.ExternalException or IOException)
                {
                    throw new InvalidDataException($"'{Path}' does not hold the weights of this network: {e.Message}", e);
                }
            }
            var missing = network.state_dict().Keys.Where(k => !skip.Contains(k) && !(loaded.TryGetValue(k, out var ok) && ok)).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"'{Path}' does not hold the weights of this network: {missing.Count} tensor(s) missing or of another shape, " +
                                               $"e.g. {string.Join(", ", missing.Take(3))}. Save the weights from the same architecture.");
        }

        /// <summary>Copies the tensors of a PyTorch state dict whose name and shape match, except <paramref name="skip"/>.</summary>
        Dictionary<string, bool> CopyPyTorch(nn.Module<Tensor, Tensor> network, IReadOnlyCollection<string> skip)
        {
            var file = PyTorchUnpickler.UnpickleStateDict(Path);
            var loaded = new Dictionary<string, bool>();
            using var noGrad = torch.no_grad();
            foreach (var (name, target) in network.state_dict())
            {
                if (skip.Contains(name) || file[name] is not Tensor source) continue;
                bool fits = source.shape.SequenceEqual(target.shape);
                if (fits) target.copy_(source);
                loaded[name] = fits;
            }
            foreach (var tensor in file.Values.OfType<Tensor>()) tensor.Dispose();
            return loaded;
        }
    }
}
