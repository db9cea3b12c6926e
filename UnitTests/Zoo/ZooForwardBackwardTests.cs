using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.NetworkLayers.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.UnitTests.Zoo;

/// <summary>Every zoo design runs forward and backward at its native input size and at a small one.</summary>
public class ZooForwardBackwardTests
{
    static readonly ImageShape ImageNet = new(3, 224, 224), Cifar = new(3, 32, 32), Mnist = new(1, 28, 28);

    /// <summary>The input a preset was designed for: MNIST, LeNet's 32×32, CIFAR or ImageNet.</summary>
    public static ImageShape NativeInput(string name) => name switch
    {
        "mnist-classic" or "mnist-best" => Mnist,
        "lenet5" => new ImageShape(1, 32, 32),
        "resnet20" or "resnet32" or "resnet44" or "resnet56" or "resnet110" or "densenet-bc" or "densenet-bc40" or "dpn-small" => Cifar,
        _ => ImageNet,
    };

    /// <summary>The deepest variants repeat at their native size what their shallower siblings test, at several times the cost.</summary>
    public static bool RepeatsSibling(string name) =>
        name is "resnet152" or "resnet110" || (name.StartsWith("vgg", StringComparison.Ordinal) && name is not ("vgg11" or "vgg16-bn"));

    /// <summary>Native size of each preset (ImageNet designs also run on 28×28 MNIST).</summary>
    public static TheoryData<string, int, int, int> Sizes()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (var name in ArchitectureRegistry.PresetNames)
        {
            var native = NativeInput(name);
            if (RepeatsSibling(name))
            {
                data.Add(name, Mnist.Channels, Mnist.Height, Mnist.Width);
                continue;
            }
            data.Add(name, native.Channels, native.Height, native.Width);
            if (native != Mnist) data.Add(name, Mnist.Channels, Mnist.Height, Mnist.Width);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Runs_forward_and_backward(string name, int channels, int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        var architecture = ArchitectureRegistry.Create(name);
        using var network = architecture.Build(new ImageShape(channels, height, width), 7);
        network.train();
        var x = torch.rand(2, channels, height, width);
        var logits = network.call(x);
        Assert.Equal([2L, 7], logits.shape);
        var labels = torch.tensor(new long[] { 1, 5 });
        var loss = nn.functional.cross_entropy(logits, labels);
        // Auxiliary classifiers (GoogLeNet) learn from their own loss, as the trainer adds it.
        if (network is IAuxiliaryOutputs auxiliary)
            foreach (var (auxLogits, weight) in auxiliary.Auxiliary.Items) loss = loss + weight * nn.functional.cross_entropy(auxLogits, labels);
        Assert.True(logits.isfinite().all().item<bool>(), $"{name}: training-mode logits hold NaN or infinity");
        Assert.True(loss.isfinite().item<bool>(), $"{name}: loss {loss.item<float>()}");
        loss.backward();
        var parameters = network.parameters().ToArray();
        Assert.All(parameters, p => Assert.NotNull(p.grad));
        Assert.All(parameters, p => Assert.True(p.grad!.isfinite().all().item<bool>(), $"{name}: a gradient holds NaN or infinity"));
        Assert.True(parameters.Any(p => p.grad!.abs().sum().item<float>() > 0), "some gradient is non-zero");

        // Prediction: eval mode (running batch-norm statistics, no dropout), one image, no auxiliary outputs.
        network.eval();
        using (torch.no_grad())
        {
            var single = network.call(x[..1]);
            Assert.Equal([1L, 7], single.shape);
            Assert.True(single.isfinite().all().item<bool>(), $"{name}: eval-mode logits hold NaN or infinity");
            Assert.True(single.allclose(network.call(x[..1]), rtol: 0, atol: 0)); // deterministic: no dropout, no batch statistics
        }
    }
}
