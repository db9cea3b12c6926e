using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Networks.Pretrained;
using MLToolkit.Trainers.Onnx;
using MLToolkit.UnitTests.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.UnitTests.Pretrained;

/// <summary>
/// The ImageNet ResNet-18 of the served NuGet package, imported into the zoo's resnet18, computes the
/// same features as the package's ONNX file run by ONNX Runtime, on real photos.
/// </summary>
public class ImageNetImportTests
{
    static readonly string PackageFolder = Path.GetDirectoryName(Path.GetDirectoryName(ResNet18Package.OnnxPath()))!;

    /// <summary>Two real flower photos as 3 × 224 × 224 RGB pixels in 0–255 (what the package's preprocessing takes).</summary>
    static float[][] Photos()
    {
        var root = MnistTests.FindShared("flowers-small") ?? throw new DirectoryNotFoundException("shared/datasets/flowers-small was not found.");
        var files = new[] { "daisy", "roses" }.Select(c => Directory.GetFiles(Path.Combine(root, "val", c), "*.jpg").Order().First()).ToArray();
        var ml = new MLContext();
        var rows = ml.Data.LoadFromEnumerable(files.Select(f => new PathRow { ImagePath = f }));
        var pixels = ml.Transforms.LoadImages("Picture", null, nameof(PathRow.ImagePath))
            .Append(ml.Transforms.ResizeImages("Picture", 224, 224))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Picture", interleavePixelColors: false))
            .Fit(rows).Transform(rows);
        return pixels.GetColumn<float[]>("Pixels").ToArray();
    }

    static float[] RunOnnx(InferenceSession session, float[] input)
    {
        var name = session.InputMetadata.Keys.Single();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(input, [1, 3, 224, 224]))]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    [Fact]
    public void Imported_resnet18_features_equal_onnx_runtime_within_1e_4()
    {
        using var preprocess = new InferenceSession(Path.Combine(PackageFolder, "ResNetPrepOnnx", "ResNetPreprocess.onnx"));
        using var reference = new InferenceSession(ResNet18Package.OnnxPath());
        using var network = new MLToolkit.Trainers.Networks.Zoo.ResNet(18, [.. PretrainedWeights.ImageNetResNet18Blocks]).Build(new ImageShape(3, 224, 224), 5);
        int loaded = OnnxWeightImport.Into(network, OnnxGraph.Read(ResNet18Package.OnnxPath()), new ImageShape(3, 224, 224));
        Assert.Equal(22, loaded); // 19 convolutions on the main path, 3 projection shortcuts
        network.eval();

        foreach (var photo in Photos())
        {
            var prepared = RunOnnx(preprocess, photo);
            var expected = RunOnnx(reference, prepared);
            Assert.Equal(512, expected.Length);
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var actual = NetworkHead.Features(network, torch.tensor(prepared, [1, 3, 224, 224])).data<float>().ToArray();
            Assert.Equal(512, actual.Length);
            double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
            Assert.True(worst < 1e-4, $"largest feature difference {worst:G3} (features up to {expected.Max():G3})");
            Assert.True(expected.Max() > 0.1, "the photo gives non-trivial features");
        }
    }

    [Fact]
    public void Pretrained_start_keeps_the_backbone_and_gives_a_new_head()
    {
        var weights = PretrainedWeights.ImageNetResNet18();
        var architecture = weights.Prepare(MLToolkit.Architectures.ResNet(18), new ImageShape(3, 96, 96));
        Assert.Equal(PretrainedWeights.ImageNetResNet18Normalization, ((LayeredArchitecture)architecture).Input);
        using var network = architecture.Build(new ImageShape(3, 96, 96), 3);
        weights.LoadInto(network, new ImageShape(3, 96, 96));
        var (backbone, head) = NetworkHead.Split(network);
        Assert.Equal(2, head.Count); // the new head: weight 3 × 512 and bias
        Assert.Equal([3L, 512], head[0].shape);
        // torchvision's ResNet-18 backbone plus CNTK's extra last-stage block (two 3×3 convolutions, two batch norms).
        Assert.Equal(11_689_512 - 1000 * 512 - 1000 + 2 * (512 * 512 * 9 + 2 * 512), backbone.Sum(p => p.numel()));

        Assert.Contains("Architectures.ResNet(18)", Assert.Throws<ArgumentException>(() => weights.Prepare(MLToolkit.Architectures.ResNet(20), new ImageShape(3, 96, 96))).Message);
        Assert.Contains("3 channels", Assert.Throws<ArgumentException>(() => weights.Prepare(MLToolkit.Architectures.ResNet(18), new ImageShape(1, 96, 96))).Message);
        Assert.Contains("64×64", Assert.Throws<ArgumentException>(() => weights.Prepare(MLToolkit.Architectures.ResNet(18), new ImageShape(3, 32, 32))).Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Weights_saved_by_torchsharp_or_in_pytorch_format_start_a_network_with_a_new_head(bool pytorch)
    {
        var shape = new ImageShape(3, 32, 32);
        var architecture = MLToolkit.Architectures.ResNet(20);
        var file = Path.Combine(TestData.TempDirectory(), pytorch ? "weights.pt" : "weights.dat");
        using var source = architecture.Build(shape, 10);
        if (pytorch) TorchSharp.PyBridge.PyBridgeModuleExtensions.save_py(source, file);
        else source.save(file);

        var weights = pytorch ? PretrainedWeights.FromPyTorch(file) : PretrainedWeights.FromTorchSharp(file);
        using var target = weights.Prepare(architecture, shape).Build(shape, 3);
        weights.LoadInto(target, shape);
        var sourceTensors = source.state_dict();
        var head = NetworkHead.ParameterNames(target);
        foreach (var (name, tensor) in target.state_dict().Where(t => !head.Contains(t.Key)))
            Assert.True(tensor.eq(sourceTensors[name]).all().item<bool>(), $"{name} was loaded");
        Assert.Equal([3L, 64], target.state_dict()[head.First(n => n.EndsWith("weight"))].shape);

        // A file of another design is refused, naming what is missing.
        using var other = MLToolkit.Architectures.ResNet(32).Build(shape, 3);
        var error = Assert.Throws<InvalidDataException>(() => weights.LoadInto(other, shape));
        Assert.Contains("does not hold the weights of this network", error.Message);
    }

    sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }
}
