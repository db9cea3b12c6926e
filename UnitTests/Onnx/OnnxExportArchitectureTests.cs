using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Scoring;
using MLToolkit.UnitTests.Zoo;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLToolkit.UnitTests.Onnx;

/// <summary>
/// Every registered architecture, exported and run by ONNX Runtime, gives the probabilities of the TorchSharp
/// network within 1e-4 and the same labels. The weights are randomised (the output layer starts at zero,
/// which would make every probability equal) and batch norm is given running statistics of its own, so
/// that the folding of batch norm and every weight's layout are checked.
/// </summary>
public class OnnxExportArchitectureTests
{
    const int Classes = 7, Images = 3;

    /// <summary>Each preset at a small input: its own when it is MNIST, LeNet or CIFAR-sized, else 3×32×32.</summary>
    public static TheoryData<string> Presets() => new(ArchitectureRegistry.PresetNames);

    internal static ImageShape SmallInput(string name)
    {
        var native = ZooForwardBackwardTests.NativeInput(name);
        return native.Height <= 32 ? native : new ImageShape(3, 32, 32);
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Exported_architecture_matches_TorchSharp(string name)
    {
        var shape = SmallInput(name);
        var network = ArchitectureRegistry.Create(name).Build(shape, Classes);
        Randomize(network, seed: 3);
        AssertParity(new NetworkScorer([network], shape, Classes, CPU), name);
    }

    /// <summary>Exports <paramref name="scorer"/>, runs the file with ONNX Runtime and compares with the scorer's own probabilities.</summary>
    internal static string AssertParity(NetworkScorer scorer, string what, bool segmentation = false)
    {
        string path = Path.Combine(TestData.TempDirectory(), "model.onnx");
        var labels = Enumerable.Range(0, scorer.Classes).Select(i => $"class {i}").ToArray();
        OnnxExport.Write(scorer, labels, segmentation ? OnnxExport.OnnxTask.Segmentation : OnnxExport.OnnxTask.Classification, path);
        var random = new Random(7);
        var images = Enumerable.Range(0, Images * scorer.Shape.Size).Select(_ => random.NextSingle()).ToArray();
        var expected = scorer.Score(images, Images);
        // Equal probabilities everywhere would agree whatever the graph computed.
        Assert.True(expected.Max() - expected.Min() > 0.02, $"{what}: the probabilities are nearly uniform ({expected.Min():F3}…{expected.Max():F3}); the check would prove little");
        var outputs = OnnxRunner.Run(path, images, Images, [scorer.Shape.Channels, scorer.Shape.Height, scorer.Shape.Width]);
        if (!segmentation) OnnxRunner.AssertSameProbabilities(expected, outputs[OnnxExport.ProbabilitiesName], scorer.Classes, 1e-4, what);
        else Assert.True(expected.Zip(outputs[OnnxExport.ProbabilitiesName], (e, a) => Math.Abs(e - a)).Max() <= 1e-4, $"{what}: probabilities differ");
        return path;
    }

    /// <summary>Random weights of a moderate size and batch-norm statistics away from 0 and 1.</summary>
    internal static void Randomize(nn.Module network, int seed)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var generator = new Generator((ulong)seed);
        foreach (var (_, module) in network.named_modules())
        {
            if (module is NormBase norm)
            {
                norm.weight?.uniform_(0.5, 1.5, generator: generator);
                norm.bias?.normal_(0, 0.2, generator: generator);
                norm.running_mean?.normal_(0, 0.2, generator: generator);
                norm.running_var?.uniform_(0.5, 2, generator: generator);
            }
            else if (module is Linear or Conv2d or ConvTranspose2d)
            {
                foreach (var (_, parameter) in module.named_parameters(recurse: false))
                    if (parameter.abs().max().item<float>() == 0) parameter.normal_(0, 0.1, generator: generator);
            }
        }
    }
}
