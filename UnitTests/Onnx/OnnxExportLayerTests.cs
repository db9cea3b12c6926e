using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.NetworkLayers;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Scoring;
using MLToolkit.Trainers.Segmentation;
using TorchSharp;
using Padding = MLToolkit.Trainers.NetworkLayers.Padding;
using static MLToolkit.Layers;
using static TorchSharp.torch;

namespace MLToolkit.UnitTests.Onnx;

/// <summary>
/// The layer API's layers the zoo does not use (or uses only one way), the segmentation designs, ensembles and
/// what the exporter refuses.
/// </summary>
public class OnnxExportLayerTests
{
    const int Classes = 5;

    static void AssertLayers(string what, ImageShape shape, params Layer[] layers)
    {
        var network = new SequentialArchitecture(what, layers, Initializer.HeNormal).Build(shape, Classes);
        OnnxExportArchitectureTests.Randomize(network, seed: 5);
        OnnxExportArchitectureTests.AssertParity(new NetworkScorer([network], shape, Classes, CPU), what);
    }

    public static TheoryData<string> LayerCases() => new(LayerCase.Keys);

    static readonly Dictionary<string, Func<Layer[]>> LayerCase = new()
    {
        ["activations"] = () => [Conv2D(6, 3), LeakyReLU(0.2), Conv2D(6, 3), ELU(), Conv2D(6, 3), GELU(), Conv2D(6, 3), Sigmoid(), Conv2D(6, 3), Tanh(), Flatten(), Output()],
        ["softmax inside"] = () => [Conv2D(4, 3), Flatten(), Dense(8), Softmax(), Output()],
        ["pooling with padding and ceil mode"] = () => [Conv2D(6, 3), MaxPool(3, 2, Padding.Of(1), ceilMode: true), AvgPool(3, 2, Padding.Of(1)), AvgPool(2, ceilMode: true), Flatten(), Output()],
        ["stochastic pooling"] = () => [Conv2D(6, 3), ReLU(), StochasticPool(2), StochasticPool(3, 2), Flatten(), Output()],
        ["adaptive pooling of unequal bands"] = () => [Conv2D(6, 3), AdaptiveAvgPool(3, 4), Flatten(), Output()],
        ["local response norm"] = () => [Conv2D(8, 3), ReLU(), LocalResponseNorm(5, alpha: 0.1, beta: 0.75, k: 2), GlobalAvgPool(), Output()],
        ["dense batch norm and dropout"] = () => [Conv2D(6, 3, stride: 2), Flatten(), Dense(16, useBias: false), BatchNorm(), ReLU(), Dropout(0.5), Output()],
        ["upsampling and transposed convolution"] = () => [Conv2D(4, 3, stride: 2), Upsample(2), Conv2D(4, 3), Upsample(2, nearest: true), ConvTranspose2D(3, 4, 2, 1, useBias: true), ConvTranspose2D(3, 3, 2), GlobalAvgPool(), Output()],
        ["grouped convolution and residual"] = () => [Conv2D(8, 3), Residual(Sequence(Conv2D(8, 3, groups: 4), BatchNorm()), after: ReLU()), Residual(Conv2D(16, 3, stride: 2), Conv2D(16, 1, stride: 2)), GlobalAvgPool(), Output()],
        ["pad shortcut"] = () => [Conv2D(4, 3), Residual(Conv2D(8, 3, stride: 2), new PadShortcut(8, 2)), Flatten(), Output()],
        ["concat, dual path and auxiliary output"] = () => [Conv2D(6, 3), Concat(Identity(), Conv2D(3, 1)), DualPath(Conv2D(7, 3), 4), DualPath(Conv2D(5, 3), 4, Conv2D(6, 1)),
            Auxiliary(Sequence(GlobalAvgPool(), Output())), GlobalAvgPool(), Output()],
    };

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void Exported_layers_match_TorchSharp(string name) => AssertLayers(name, new ImageShape(2, 13, 11), LayerCase[name]());

    [Fact]
    public void Input_normalisation_with_reversed_channels_is_inside_the_graph()
    {
        var shape = new ImageShape(3, 16, 16);
        var architecture = new SequentialArchitecture("normalised", [Conv2D(4, 3), Flatten(), Output()])
        {
            Input = new InputNormalization(255, [120, 110, 100], [60, 50, 40], ReverseChannels: true),
        };
        var network = architecture.Build(shape, Classes);
        OnnxExportArchitectureTests.Randomize(network, seed: 2);
        OnnxExportArchitectureTests.AssertParity(new NetworkScorer([network], shape, Classes, CPU), "normalised input");
    }

    public static TheoryData<string> SegmentationDesigns() => new(SegmentationNetworks.Names);

    [Theory]
    [MemberData(nameof(SegmentationDesigns))]
    public void Exported_segmentation_network_matches_TorchSharp_on_an_odd_size(string name)
    {
        // 40×36 is not a multiple of 32: the graph pads and crops as the network does.
        var shape = new ImageShape(1, 40, 36);
        var network = ((IArchitecture)SegmentationNetworks.Create(name)).Build(shape, Classes);
        OnnxExportArchitectureTests.Randomize(network, seed: 4);
        using var scorer = new NetworkScorer([network], shape, Classes, CPU);
        string path = OnnxExportArchitectureTests.AssertParity(scorer, name, segmentation: true);

        var random = new Random(7);
        var images = Enumerable.Range(0, 3 * shape.Size).Select(_ => random.NextSingle()).ToArray();
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
        using var results = session.Run([Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor(OnnxExport.InputName,
            new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(images, [3, 1, 40, 36]))]);
        var mask = results.Single(r => r.Name == OnnxExport.MaskName).AsTensor<long>();
        Assert.Equal([3, 40, 36], mask.Dimensions.ToArray());
        var probabilities = scorer.Score(images, 3);
        int pixels = 40 * 36, agreeing = 0;
        for (int i = 0; i < 3; i++)
            for (int p = 0; p < pixels; p++)
            {
                int best = Enumerable.Range(0, Classes).MaxBy(c => probabilities[(i * Classes + c) * pixels + p]);
                if (mask.GetValue(i * pixels + p) == best) agreeing++;
            }
        Assert.Equal(3 * pixels, agreeing);
    }

    [Theory]
    [InlineData(EnsembleCombination.AverageProbabilities)]
    [InlineData(EnsembleCombination.MajorityVote)]
    public void An_ensemble_is_one_graph_combined_as_the_model_combines(EnsembleCombination combination)
    {
        var shape = new ImageShape(1, 12, 12);
        var members = Enumerable.Range(0, 3).Select(i =>
        {
            var network = new SequentialArchitecture($"member {i}", [Conv2D(4, 3), ReLU(), Flatten(), Output()]).Build(shape, Classes);
            OnnxExportArchitectureTests.Randomize(network, seed: 10 + i);
            return network;
        }).ToArray();
        var settings = new ScoringSettings(combination, Weights: [0.5, 0.2, 0.3]);
        string path = OnnxExportArchitectureTests.AssertParity(new NetworkScorer(members, shape, Classes, CPU, settings), combination.ToString());
        Assert.Equal(3, global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Node.Count(n => n.OpType == "Softmax"));
    }

    sealed class Doubler : nn.Module<Tensor, Tensor>
    {
        public Doubler() : base("Doubler") { }
        public override Tensor forward(Tensor input) => input * 2;
    }

    sealed record DoublerLayer : Layer
    {
        public override string Kind => "doubler";
        public override long[] OutputShape(long[] input) => input;
        public override nn.Module<Tensor, Tensor> Build(long[] input, BuildContext context) => new Doubler();
    }

    [Fact]
    public void A_custom_module_is_refused_by_its_path_and_type_and_nothing_is_written()
    {
        var shape = new ImageShape(1, 8, 8);
        var network = new SequentialArchitecture("custom", [Conv2D(2, 3), new DoublerLayer(), Flatten(), Output()]).Build(shape, Classes);
        string path = Path.Combine(TestData.TempDirectory(), "custom.onnx");
        var error = Assert.Throws<NotSupportedException>(() => OnnxExport.Write(new NetworkScorer([network], shape, Classes, CPU), ["a", "b", "c", "d", "e"], OnnxExport.OnnxTask.Classification, path));
        Assert.Contains("'body.doubler_1'", error.Message);
        Assert.Contains(typeof(Doubler).FullName!, error.Message);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }
}
