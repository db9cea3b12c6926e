using MLToolkit.Trainers.NetworkLayers;

namespace MLToolkit;

/// <summary>
/// Keras-style layer factory. Compose the layers with <see cref="Architectures.Sequential"/>, or into
/// graphs with <see cref="Residual"/>, <see cref="Concat"/> (branches), <see cref="DualPath"/> and
/// <see cref="AuxiliaryOutput"/> (extra outputs); end a network with <see cref="Output"/>.
/// </summary>
public static class Layers
{
    /// <summary>2-D convolution: <paramref name="filters"/> square kernels of <paramref name="kernelSize"/>.</summary>
    public static Conv2D Conv2D(int filters, int kernelSize, int stride = 1, Padding? padding = null, bool useBias = true,
        int groups = 1, Initializer? init = null) => new(filters, kernelSize, stride, padding, useBias, groups, init);

    /// <summary>Fully connected layer of <paramref name="units"/>.</summary>
    public static Dense Dense(int units, bool useBias = true, Initializer? init = null) => new(units, useBias, init);

    /// <summary>The last dense layer: one score (logit) per class.</summary>
    public static ClassifierOutput Output(bool useBias = true, Initializer? init = null) => new(useBias, init);

    /// <summary>Batch normalization.</summary>
    public static BatchNorm BatchNorm(double epsilon = 1e-5, double momentum = 0.1) => new(epsilon, momentum);

    /// <summary>Dropout with drop probability <paramref name="rate"/>.</summary>
    public static Dropout Dropout(double rate) => new(rate);

    /// <summary>Max pooling; a stride below the size overlaps the windows.</summary>
    public static Pool MaxPool(int size, int? stride = null, Padding? padding = null, bool ceilMode = false) =>
        new(PoolType.Max, size, stride, padding, ceilMode);

    /// <summary>Average pooling.</summary>
    public static Pool AvgPool(int size, int? stride = null, Padding? padding = null, bool ceilMode = false) =>
        new(PoolType.Average, size, stride, padding, ceilMode);

    /// <summary>Global average pooling: one value per channel.</summary>
    public static GlobalAvgPool GlobalAvgPool() => new();

    /// <summary>Average pooling to a fixed <paramref name="height"/> × <paramref name="width"/>.</summary>
    public static AdaptiveAvgPool AdaptiveAvgPool(int height, int width) => new(height, width);

    /// <summary>Stochastic pooling (sampled while training, probability-weighted at prediction).</summary>
    public static StochasticPool StochasticPool(int size = 2, int? stride = null) => new(size, stride);

    /// <summary>Local response normalization across <paramref name="size"/> channels (AlexNet's defaults).</summary>
    public static LocalResponseNorm LocalResponseNorm(int size = 5, double alpha = 1e-4, double beta = 0.75, double k = 2) => new(size, alpha, beta, k);

    /// <summary>Flattens an image to a vector.</summary>
    public static Flatten Flatten() => new();

    /// <summary>The identity.</summary>
    public static Identity Identity() => new();

    /// <summary>ReLU.</summary>
    public static Activation ReLU() => new(ActivationKind.ReLU);

    /// <summary>Leaky ReLU with negative <paramref name="slope"/>.</summary>
    public static Activation LeakyReLU(double slope = 0.01) => new(ActivationKind.LeakyReLU, slope);

    /// <summary>ELU.</summary>
    public static Activation ELU() => new(ActivationKind.ELU);

    /// <summary>GELU.</summary>
    public static Activation GELU() => new(ActivationKind.GELU);

    /// <summary>Sigmoid.</summary>
    public static Activation Sigmoid() => new(ActivationKind.Sigmoid);

    /// <summary>Tanh.</summary>
    public static Activation Tanh() => new(ActivationKind.Tanh);

    /// <summary>Softmax over the features.</summary>
    public static Activation Softmax() => new(ActivationKind.Softmax);

    /// <summary>Layers one after the other.</summary>
    public static Sequence Sequence(params Layer[] layers) => new(layers);

    /// <summary>Skip connection: <paramref name="after"/>(body(x) + shortcut(x)); a null shortcut is the identity.</summary>
    public static Residual Residual(Layer body, Layer? shortcut = null, Layer? after = null) => new(body, shortcut, after);

    /// <summary>Branches on one input, concatenated along the channels.</summary>
    public static Concat Concat(params Layer[] branches) => new(branches);

    /// <summary>A DPN dual-path block.</summary>
    public static DualPath DualPath(Layer body, int residualChannels, Layer? shortcut = null) => new(body, residualChannels, shortcut);

    /// <summary>An auxiliary classifier whose loss is added with <paramref name="weight"/> while training.</summary>
    public static AuxiliaryOutput Auxiliary(Layer head, double weight = 0.3) => new(head, weight);

    /// <summary>A transposed convolution (see <see cref="Trainers.NetworkLayers.ConvTranspose2D"/>); filters null gives one per class.</summary>
    public static ConvTranspose2D ConvTranspose2D(int? filters, int kernelSize, int stride, int padding = 0, bool bilinear = false, bool useBias = false) =>
        new(filters, kernelSize, stride, padding, bilinear, useBias);

    /// <summary>A learned upsampling by <paramref name="factor"/> that starts as bilinear interpolation (FCN); filters null gives one per class.</summary>
    public static ConvTranspose2D UpConv(int factor, int? filters = null, bool bilinear = true) => Trainers.NetworkLayers.ConvTranspose2D.Upsampling(factor, filters, bilinear);

    /// <summary>Parameter-free upsampling (bilinear, or nearest neighbour).</summary>
    public static Upsample Upsample(int factor, bool nearest = false) => new(factor, nearest);

    /// <summary>Class scores per pixel: a 1×1 convolution to one channel per class.</summary>
    public static PixelClassifier PixelClassifier(bool zeroInit = false) => new(zeroInit);

    /// <summary>Pads the input up to a multiple of <paramref name="multiple"/>, runs <paramref name="body"/>, crops back to the input's size.</summary>
    public static CropToInput CropToInput(int multiple, Layer body) => new(multiple, body);

    /// <summary>Conv → BatchNorm → ReLU, the block of most modern CNNs (the convolution has no bias).</summary>
    public static Sequence ConvBnRelu(int filters, int kernelSize, int stride = 1, Padding? padding = null, double epsilon = 1e-5, int groups = 1) =>
        Sequence(Conv2D(filters, kernelSize, stride, padding, useBias: false, groups: groups), BatchNorm(epsilon), ReLU());

    /// <summary>BatchNorm → ReLU → Conv, the pre-activation order of DenseNet layers.</summary>
    public static Sequence BnReluConv(int filters, int kernelSize, int stride = 1, Padding? padding = null) =>
        Sequence(BatchNorm(), ReLU(), Conv2D(filters, kernelSize, stride, padding, useBias: false));
}
