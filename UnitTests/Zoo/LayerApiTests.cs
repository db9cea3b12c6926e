using Microsoft.ML;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Networks.Zoo;
using MLToolkit.Trainers.NetworkLayers;
using MLToolkit.Trainers.Summary;
using TorchSharp;
using static MLToolkit.Layers;
using static TorchSharp.torch;
using Padding = MLToolkit.Trainers.NetworkLayers.Padding;

namespace MLToolkit.UnitTests.Zoo;

/// <summary>The Keras-like API: your own sequential and graph networks, a plain TorchSharp module, summaries.</summary>
public class LayerApiTests
{
    static SequentialArchitecture SmallResidualNet() => Architectures.Sequential("my-residual-net",
        ConvBnRelu(16, 3),
        Residual(Sequence(ConvBnRelu(16, 3), Conv2D(16, 3, useBias: false), BatchNorm()), after: ReLU()),
        MaxPool(2),
        Concat(Conv2D(8, 1), Sequence(Conv2D(8, 1), Conv2D(16, 3)), Sequence(MaxPool(3, 1, Padding.Of(1)), Conv2D(8, 1))),
        LeakyReLU(0.1),
        MaxPool(2, ceilMode: true),
        Flatten(), Dense(64), ELU(), Dropout(0.2), Output());

    [Fact]
    public void Own_graph_network_trains_saves_and_loads_with_identical_scores()
    {
        var ml = new MLContext(seed: 2);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Architecture = SmallResidualNet(), Epochs = 3, BatchSize = 32, Threads = 2 }));
        var train = TestData.Train(ml, 1000);
        var model = pipeline.Fit(train);
        var test = TestData.Test(ml, 200);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        Assert.True(metrics.MicroAccuracy > 0.5, $"accuracy {metrics.MicroAccuracy:P1}");

        var path = Path.Combine(TestData.TempDirectory(), "model.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = new MLContext().RegisterMLToolkit().Model.Load(path, out _);
        var before = model.Transform(test).GetColumn<float[]>("Score").ToArray();
        var after = loaded.Transform(test).GetColumn<float[]>("Score").ToArray();
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i]);
    }

    [Fact]
    public void Layers_round_trip_through_json()
    {
        var architecture = SmallResidualNet();
        var json = ArchitectureRegistry.ToJson(architecture);
        var back = Assert.IsType<SequentialArchitecture>(ArchitectureRegistry.FromJson(architecture.Name, json));
        Assert.Equal(json, ArchitectureRegistry.ToJson(back));
        Assert.Equal("my-residual-net", back.Title);
    }

    [Fact]
    public void Shape_mistakes_name_the_layer()
    {
        var broken = Architectures.Sequential("broken", Conv2D(8, 3), Dense(10), Output());
        var error = Assert.Throws<ArgumentException>(() => broken.Build(new ImageShape(1, 28, 28), 10));
        Assert.Contains("Layer 2 (dense)", error.Message);
        Assert.Contains("Add Flatten or GlobalAvgPool", error.Message);

        var noOutput = Architectures.Sequential("no-output", Flatten(), Dense(5));
        Assert.Contains("Layers.Output()", Assert.Throws<ArgumentException>(() => noOutput.Build(new ImageShape(1, 28, 28), 10)).Message);
    }

    /// <summary>Full control: any TorchSharp module subclass is an architecture.</summary>
    sealed class TinyModule : nn.Module<Tensor, Tensor>
    {
        readonly nn.Module<Tensor, Tensor> _conv = nn.Conv2d(1, 8, 3, padding: 1), _head = nn.Linear(8, 10);

        public TinyModule() : base(nameof(TinyModule)) => RegisterComponents();

        public override Tensor forward(Tensor input) =>
            _head.call(nn.functional.relu(_conv.call(input)).mean([2L, 3L]));
    }

    sealed record TinyArchitecture : IArchitecture
    {
        public string Name => "tiny-module";
        public nn.Module<Tensor, Tensor> Build(ImageShape input, int classes) => new TinyModule();
    }

    [Fact]
    public void A_plain_torchsharp_module_plugs_into_the_trainer_and_the_summary()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Architecture = new TinyArchitecture(), Epochs = 1, BatchSize = 32 }))
            .Fit(TestData.Train(ml, 320));
        Assert.Equal(10, model.Transform(TestData.Test(ml, 10)).GetColumn<float[]>("Score").First().Length);

        var summary = ModelSummary.Of(new TinyArchitecture(), new ImageShape(1, 28, 28));
        Assert.Equal(8 * 9 + 8 + 8 * 10 + 10, summary.TotalParameters);
        Assert.Equal(8L * 28 * 28 * 9 + 80, summary.TotalMultiplyAccumulates);
    }

    [Fact]
    public void Inception_1x1_reduction_saves_parameters_and_compute()
    {
        long[] input = [192, 28, 28];
        var reducedBlock = GoogLeNet.Inception(64, 96, 128, 16, 32, 32, wideKernel: 5);
        var naiveBlock = GoogLeNet.Inception(64, 96, 128, 16, 32, 32, wideKernel: 5, reduce: false);
        var reduced = ModelSummary.Of(reducedBlock, input);
        var naive = ModelSummary.Of(naiveBlock, input);
        // Inception 3a as in the paper (5×5 branch): the 1×1 reductions cut parameters and MACs about 2.4×.
        Assert.InRange((double)naive.TotalParameters / reduced.TotalParameters, 2.0, 3.0);
        Assert.InRange((double)naive.TotalMultiplyAccumulates / reduced.TotalMultiplyAccumulates, 2.0, 3.0);

        // Two stacked 3×3 convolutions see what one 5×5 sees, with 18·C² instead of 25·C² weights.
        var twoThrees = ModelSummary.Of(Sequence(Conv2D(64, 3, useBias: false), Conv2D(64, 3, useBias: false)), [64, 28, 28]);
        var oneFive = ModelSummary.Of(Conv2D(64, 5, useBias: false), [64, 28, 28]);
        Assert.Equal(18 * 64 * 64, twoThrees.TotalParameters);
        Assert.Equal(25 * 64 * 64, oneFive.TotalParameters);

        // README's table shows these very figures.
        var readme = File.ReadAllText(Path.Combine(Docs.ReadmeTests.RepositoryRoot(), "README.md"));
        string N(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        string Row(ModelSummary summary, Layer block) =>
            $"| {N(summary.TotalParameters)} | {N(summary.TotalMultiplyAccumulates)} | {block.OutputShape(input)[0]} |";
        Assert.Contains(Row(reduced, reducedBlock), readme);
        Assert.Contains(Row(naive, naiveBlock), readme);
        Assert.Contains($"{N(twoThrees.TotalParameters)} against {N(oneFive.TotalParameters)}", readme);
    }

    [Fact]
    public void Auxiliary_classifiers_add_their_loss_while_training_and_vanish_at_prediction()
    {
        using var scope = torch.NewDisposeScope();
        using var network = new GoogLeNet().Build(new ImageShape(1, 28, 28), 10);
        var aux = (MLToolkit.Trainers.NetworkLayers.Modules.IAuxiliaryOutputs)network;
        network.train();
        network.call(torch.rand(2, 1, 28, 28));
        Assert.Equal(2, aux.Auxiliary.Items.Count);
        Assert.All(aux.Auxiliary.Items, item => Assert.Equal([2L, 10], item.Logits.shape));
        network.eval();
        network.call(torch.rand(2, 1, 28, 28));
        Assert.Empty(aux.Auxiliary.Items);
    }

    [Fact]
    public void Stochastic_pooling_samples_in_training_and_averages_at_prediction()
    {
        using var scope = torch.NewDisposeScope();
        using var pool = StochasticPool(2).Build([1, 2, 2], new BuildContext(1, Initializer.Framework));
        var x = torch.tensor(new float[] { 1, 0, 0, 3 }).reshape(1, 1, 2, 2);
        pool.eval();
        Assert.Equal((1f * 1 + 3 * 3) / 4, pool.call(x).item<float>(), 5);
        pool.train();
        torch.manual_seed(5);
        var draws = Enumerable.Range(0, 200).Select(_ => pool.call(x).item<float>()).ToArray();
        // Both non-zero activations are drawn (max pooling would give 3 only), in proportion to their value: 1 of 4, 3 of 4.
        Assert.Equal(new HashSet<float> { 1f, 3f }, draws.ToHashSet());
        Assert.InRange(draws.Count(d => d == 1f), 25, 75);
    }

    [Fact]
    public void Every_initializer_gives_its_distribution()
    {
        foreach (var initializer in Enum.GetValues<Initializer>())
        {
            var conv = Conv2D(64, 3, init: initializer).Build([32, 8, 8], new BuildContext(1, Initializer.Framework));
            using var _ = conv;
            var weight = conv.parameters().First();
            double std = weight.std().item<float>();
            // fan_in = 32·9 = 288, fan_out = 64·9 = 576.
            double expected = initializer switch
            {
                Initializer.Uniform => 0.05 / Math.Sqrt(3),
                Initializer.GlorotUniform or Initializer.GlorotNormal => Math.Sqrt(2.0 / (288 + 576)),
                Initializer.HeUniform or Initializer.HeNormal => Math.Sqrt(2.0 / 288),
                Initializer.HeNormalFanOut => Math.Sqrt(2.0 / 576),
                Initializer.SmallNormal => 0.01,
                Initializer.Zeros => 0,
                _ => 1 / Math.Sqrt(3 * 288), // PyTorch's default: kaiming_uniform with a = √5
            };
            if (expected == 0) Assert.Equal(0, std);
            else Assert.InRange(std / expected, 0.9, 1.1);
        }
    }
}
