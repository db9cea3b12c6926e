using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Backend;
using MLToolkit.Trainers.NetworkLayers;
using MLToolkit.Trainers.NetworkLayers.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Networks;

/// <summary>
/// An architecture defined as layers (see <see cref="Layers"/>): the zoo's designs and
/// <see cref="SequentialArchitecture"/>. Subclasses say which layers suit an input shape; building,
/// shape checks and initialisation are shared.
/// </summary>
public abstract record LayeredArchitecture : IArchitecture
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <summary>Weight initialiser of the convolutions and hidden dense layers that do not name one (the output layer starts at zero, see <see cref="ClassifierOutput"/>).</summary>
    public virtual Initializer DefaultInitializer => Initializer.HeNormal;

    /// <summary>
    /// How input images are normalised before the first layer (part of the saved model); null passes
    /// the toolkit's [0, 1] pixels through. Set by pretrained weights that expect their own statistics.
    /// </summary>
    public InputNormalization? Input { get; init; }

    /// <summary>The layers for <paramref name="input"/>, ending in class scores (<see cref="MLToolkit.Layers.Output"/>).</summary>
    public abstract Layer Define(ImageShape input);

    /// <inheritdoc />
    public nn.Module<Tensor, Tensor> Build(ImageShape input, int classes)
    {
        // A network built outside a trainer (summaries, tests, your own loop) gets the same backend set-up.
        TorchRuntime.EnsureInitialized();
        return new LayerNetwork(Define(input), [input.Channels, input.Height, input.Width], new BuildContext(classes, DefaultInitializer), Input,
            this switch
            {
                Segmentation.ISegmentationArchitecture => NetworkOutput.PerPixel,
                Detection.IDetectionArchitecture => NetworkOutput.PerCell,
                _ => NetworkOutput.PerImage,
            });
    }

    /// <summary>Whether <paramref name="input"/> is CIFAR/MNIST-sized (under 64 pixels), where ImageNet stems would shrink it to nothing.</summary>
    protected static bool IsSmall(ImageShape input) => Math.Min(input.Height, input.Width) < 64;
}

/// <summary>
/// A network you define as a list of layers (Keras' Sequential model); graphs come from composite
/// layers such as <see cref="Residual"/> and <see cref="Concat"/>.
/// </summary>
/// <param name="Title">Your name for the network (shown in summaries and saved with the model).</param>
/// <param name="Layers">The layers, ending in <see cref="MLToolkit.Layers.Output"/>.</param>
/// <param name="Initializer">Weight initialiser of the convolutions and hidden dense layers that do not name one (the output layer starts at zero, see <see cref="ClassifierOutput"/>).</param>
public sealed record SequentialArchitecture(string Title, IReadOnlyList<Layer> Layers, Initializer Initializer = Initializer.GlorotUniform) : LayeredArchitecture
{
    /// <summary>The registered name under which every sequential network is saved.</summary>
    public const string RegisteredName = "sequential";

    /// <inheritdoc />
    public override string Name => RegisteredName;

    /// <inheritdoc />
    public override Initializer DefaultInitializer => Initializer;

    /// <inheritdoc />
    public override Layer Define(ImageShape input) => new Sequence(Layers);
}
