using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Networks.Zoo;
using MLToolkit.Trainers.Summary;

namespace MLToolkit.UnitTests.Zoo;

/// <summary>The zoo reproduces the published parameter counts (torchvision's exact figures).</summary>
public class ZooParameterTests
{
    static long Parameters(IArchitecture architecture, ImageShape input, int classes)
    {
        using var network = architecture.Build(input, classes);
        return network.parameters().Sum(p => p.numel());
    }

    public static TheoryData<string, long> ImageNet => new()
    {
        { "alexnet", 61_100_840 },
        { "vgg16", 138_357_544 },
        { "resnet18", 11_689_512 },
        { "resnet50", 25_557_032 },
        { "densenet121", 7_978_856 },
    };

    [Theory]
    [MemberData(nameof(ImageNet))]
    public void ImageNet_configuration_has_the_published_parameter_count(string name, long expected) =>
        Assert.Equal(expected, Parameters(ArchitectureRegistry.Create(name), new ImageShape(3, 224, 224), 1000));

    [Fact]
    public void GoogLeNet_without_auxiliary_classifiers_has_6_62_million_parameters() =>
        Assert.Equal(6_624_904, Parameters(new GoogLeNet(AuxiliaryClassifiers: false), new ImageShape(3, 224, 224), 1000));

    [Fact]
    public void Cifar_ResNet20_has_0_27_million_parameters() =>
        Assert.Equal(269_722, Parameters(ArchitectureRegistry.Create("resnet20"), new ImageShape(3, 32, 32), 10));

    [Fact]
    public void Mnist_recipe_network_has_620266_parameters() =>
        // Convolutions and the dense layer before batch norm carry no bias (BN's shift replaces it).
        Assert.Equal(620_266, Parameters(MLToolkit.Architectures.MnistBestCnn(), new ImageShape(1, 28, 28), 10));

    [Fact]
    public void LeNet5_has_its_classic_61706_parameters() =>
        Assert.Equal(61_706, Parameters(new LeNet5(), new ImageShape(1, 32, 32), 10));

    [Fact]
    public void Summary_lists_layers_with_shapes_parameters_and_macs()
    {
        var summary = ModelSummary.Of(ArchitectureRegistry.Create("resnet20"), new ImageShape(3, 32, 32));
        Assert.Equal(269_722, summary.TotalParameters);
        Assert.Equal(summary.TotalParameters, summary.Rows.Sum(r => r.Parameters));
        var first = summary.Rows[0];
        Assert.Equal("Conv2d", first.Type);
        Assert.Equal([16L, 32, 32], first.OutputShape);
        Assert.Equal(16 * 3 * 3 * 3, first.Parameters);
        Assert.Equal(16L * 32 * 32 * 3 * 3 * 3, first.MultiplyAccumulates);
        // ResNet-20 is known for ~41M multiply-accumulates per 32×32 image.
        Assert.InRange(summary.TotalMultiplyAccumulates, 40_000_000, 42_000_000);
        Assert.Equal([10L], summary.Rows[^1].OutputShape);
        var text = summary.ToString();
        Assert.Contains("Total parameters:     269,722", text);
        Assert.Contains("MACs", text);
    }
}
