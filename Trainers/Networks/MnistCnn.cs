using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Backend;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Networks;

/// <summary>
/// The MNIST CNNs of the classic "best CNN on MNIST" lessons: blocks of Conv 3×3 (same padding),
/// optional batch normalization, ReLU and 2×2 max pooling with same padding (28→14→7→4), then
/// Dense, optional batch normalization, ReLU, dropout and Dense to the classes. With batch
/// normalization and 32/64/128 filters and Dense 256 it has 620,266 trainable parameters on 1×28×28.
/// </summary>
/// <param name="Filters">Filters of each convolution block.</param>
/// <param name="Dense">Units of the hidden dense layer.</param>
/// <param name="Dropout">Dropout rate before the output layer.</param>
/// <param name="BatchNorm">Whether each convolution and the dense layer are followed by batch normalization.</param>
public sealed record MnistCnn(int[] Filters, int Dense = 256, double Dropout = 0.4, bool BatchNorm = false) : IArchitecture
{
    /// <summary>Registered name of the plain design (Conv-ReLU blocks).</summary>
    public const string ClassicName = "mnist-classic";

    /// <summary>Registered name of the design with batch normalization (Conv-BN-ReLU blocks).</summary>
    public const string BatchNormName = "mnist-best";

    /// <inheritdoc />
    public string Name => BatchNorm ? BatchNormName : ClassicName;

    /// <inheritdoc />
    public nn.Module<Tensor, Tensor> Build(ImageShape input, int classes)
    {
        if (Filters is null || Filters.Length == 0 || Filters.Any(f => f <= 0))
            throw new ArgumentException("MnistCnn.Filters must list at least one positive filter count.", nameof(Filters));
        if (Dense <= 0) throw new ArgumentException($"MnistCnn.Dense must be positive; it is {Dense}.", nameof(Dense));
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"MnistCnn.Dropout must be in [0, 1); it is {Dropout}.", nameof(Dropout));

        TorchRuntime.EnsureInitialized();
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        long channels = input.Channels, height = input.Height, width = input.Width;
        for (int b = 0; b < Filters.Length; b++)
        {
            // A convolution followed by batch norm needs no bias: BN's shift replaces it.
            layers.Add(($"conv{b + 1}", nn.Conv2d(channels, Filters[b], 3, padding: 1, bias: !BatchNorm)));
            if (BatchNorm) layers.Add(($"bn{b + 1}", nn.BatchNorm2d(Filters[b])));
            layers.Add(($"relu{b + 1}", nn.ReLU()));
            // ceil_mode gives Keras' padding='same' pooling: 7×7 → 4×4.
            layers.Add(($"pool{b + 1}", nn.MaxPool2d(2, ceil_mode: true)));
            channels = Filters[b];
            height = (height + 1) / 2;
            width = (width + 1) / 2;
        }
        layers.Add(("flatten", nn.Flatten()));
        layers.Add(("dense", nn.Linear(channels * height * width, Dense, hasBias: !BatchNorm)));
        if (BatchNorm) layers.Add(("dense_bn", nn.BatchNorm1d(Dense)));
        layers.Add(("dense_relu", nn.ReLU()));
        layers.Add(("dropout", new NetworkLayers.Modules.DropoutModule(Dropout)));
        layers.Add(("output", nn.Linear(Dense, classes)));

        var network = nn.Sequential(layers);
        Initialization.GlorotUniform(network);
        return network;
    }
}
