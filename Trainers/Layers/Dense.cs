using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Layers;

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
        Initializers.Apply(Init ?? context.DefaultInitializer, linear.weight!, linear.bias);
        return linear;
    }
}

/// <summary>The last dense layer, one unit per class of the data the network is trained on.</summary>
/// <param name="UseBias">Whether to add a bias.</param>
/// <param name="Init">Weight initialiser; null uses the network's default.</param>
public sealed record ClassifierOutput(bool UseBias = true, Initializer? Init = null) : Dense(0, UseBias, Init)
{
    /// <inheritdoc />
    public override string Kind => "output";

    /// <summary>The width shapes report before the number of classes is known.</summary>
    public const int ClassesPlaceholder = -1;

    /// <summary>Marks the width as <see cref="ClassesPlaceholder"/> until the context is known.</summary>
    protected override int Width(BuildContext? context) => context?.Classes ?? ClassesPlaceholder;
}
