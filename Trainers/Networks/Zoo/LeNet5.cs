using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.NetworkLayers;
using static MLToolkit.Layers;

namespace MLToolkit.Trainers.Networks.Zoo;

/// <summary>
/// LeNet-5 (LeCun et al., 1998), the first convolutional network: two 5×5 convolutions with
/// subsampling (average pooling) and tanh, then 120-84 dense layers. Designed for 1×32×32; a
/// 28×28 input is padded by 2 pixels, as MNIST was. 61,706 parameters on 1×32×32 with 10 classes.
/// </summary>
/// <param name="Function">Activation: the original tanh, or ReLU.</param>
public sealed record LeNet5(ActivationKind Function = ActivationKind.Tanh) : LayeredArchitecture
{
    /// <inheritdoc />
    public override string Name => "lenet5";

    /// <inheritdoc />
    public override Initializer DefaultInitializer => Initializer.GlorotUniform;

    /// <inheritdoc />
    public override Layer Define(ImageShape input)
    {
        var act = new Activation(Function);
        int pad = Math.Max(0, (32 - Math.Min(input.Height, input.Width)) / 2);
        return Sequence(
            Conv2D(6, 5, padding: Padding.Of(pad)), act, AvgPool(2),
            Conv2D(16, 5, padding: Padding.Valid), act, AvgPool(2),
            Flatten(), Dense(120), act, Dense(84), act, Output());
    }
}
