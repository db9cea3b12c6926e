using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>A fully connected layer: [F] → [Units]. Flatten image features first.</summary>
/// <param name="Units">Output features.</param>
/// <param name="UseBias">Whether to add a bias.</param>
/// <param name="Init">Weight initialiser; null uses the network's default.</param>
public record Dense(int Units, bool UseBias = true, Initializer? Init = null) : Layer
{
    /// <inheritdoc />
    public override string Kind => "dense";

    /// <summary>The width actually built: <see cref="Units"/> here, the number of classes for <see cref="ClassifierOutput"/>.</summary>
    protected virtual int Width(BuildContext? context) => Units;

    /// <summary>The initialiser used when <see cref="Init"/> is null: the network's default here.</summary>
    protected virtual Initializer DefaultInit(BuildContext context) => context.DefaultInitializer;

    /// <inheritdoc />
    public override long[] OutputShape(long[] input)
    {
        if (input.Length != 1)
            throw new ArgumentException($"{Kind} needs a flat input [features]; it got [{ShapeText(input)}]. Add Flatten or GlobalAvgPool before it.");
        return [Width(null)];
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context)
    {
        OutputShape(input);
        int width = Width(context);
        if (width < 1) throw new ArgumentException($"{Kind} needs at least one unit; it has {width}.");
        var linear = nn.Linear(input[0], width, hasBias: UseBias);
        Initializers.Apply(Init ?? DefaultInit(context), linear.weight!, linear.bias);
        return linear;
    }
}

/// <summary>
/// The last dense layer, one unit per class of the data the network is trained on. Its weights start
/// at zero (<see cref="Initializer.Zeros"/>) unless it names its own initialiser, so every class starts
/// equally likely and the first loss is ln(classes). The network's default suits hidden layers, but
/// on a narrow output it gives logits of the size of the features (first losses of 6 to 200 on 2
/// classes), and even <see cref="Initializer.SmallNormal"/> adds about 1 to the first loss behind
/// 4096-unit layers with dropout. The first step makes the weights non-zero, so the layers below learn from the second.
/// </summary>
/// <param name="UseBias">Whether to add a bias.</param>
/// <param name="Init">Weight initialiser; null uses <see cref="Initializer.Zeros"/>.</param>
public sealed record ClassifierOutput(bool UseBias = true, Initializer? Init = null) : Dense(0, UseBias, Init)
{
    /// <inheritdoc />
    public override string Kind => "output";

    /// <summary>The width shapes report before the number of classes is known.</summary>
    public const int ClassesPlaceholder = -1;

    /// <summary>Marks the width as <see cref="ClassesPlaceholder"/> until the context is known.</summary>
    protected override int Width(BuildContext? context) => context?.Classes ?? ClassesPlaceholder;

    /// <summary>Zero weights whatever the network's default, so that the initial logits are zero.</summary>
    protected override Initializer DefaultInit(BuildContext context) => Initializer.Zeros;
}
