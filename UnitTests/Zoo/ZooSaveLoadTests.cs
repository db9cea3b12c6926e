using Microsoft.ML;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Networks.Zoo;
using TorchSharp;

namespace MLToolkit.UnitTests.Zoo;

/// <summary>
/// Every design a user can build saves and loads: the presets and designs that are not presets
/// (ResNet-26, DenseNet-BC-190, DenseNet-169…), which once trained and saved, then failed to load.
/// </summary>
public class ZooSaveLoadTests
{
    public static TheoryData<string> Presets() => new(ArchitectureRegistry.PresetNames);

    /// <summary>Valid designs whose names are not presets.</summary>
    public static readonly TheoryData<string> NonPresets = new() { "cifar-resnet26", "densenet-bc190", "densenet169", "resnet26-imagenet", "vgg13-bn-style" };

    static IArchitecture NonPreset(string name) => name switch
    {
        "cifar-resnet26" => Architectures.ResNet(26),
        "densenet-bc190" => Architectures.DenseNetBc(190, growthRate: 4),
        "densenet169" => new DenseNet(32, [6, 12, 32, 32], 64),
        "resnet26-imagenet" => new ResNet(26, [2, 3, 4, 3]),
        "vgg13-bn-style" => Architectures.Vgg(13, batchNorm: true),
        _ => throw new ArgumentException(name),
    };

    /// <summary>The saved description rebuilds the same design: same type, settings and name, and the same network.</summary>
    static void AssertRoundTrip(IArchitecture design)
    {
        var key = ArchitectureRegistry.KeyOf(design);
        var json = ArchitectureRegistry.ToJson(design);
        var rebuilt = ArchitectureRegistry.FromJson(key, json);
        Assert.Equal(design.GetType(), rebuilt.GetType());
        Assert.Equal(design.Name, rebuilt.Name);
        Assert.Equal(json, ArchitectureRegistry.ToJson(rebuilt));
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Every_preset_is_described_so_that_it_rebuilds(string name) => AssertRoundTrip(ArchitectureRegistry.Create(name));

    [Theory]
    [MemberData(nameof(NonPresets))]
    public void Designs_that_are_not_presets_are_described_so_that_they_rebuild(string name) => AssertRoundTrip(NonPreset(name));

    [Fact]
    public void A_trained_design_that_is_not_a_preset_saves_loads_and_scores_the_same()
    {
        var ml = new MLContext(seed: 1);
        // ResNet-8 (CIFAR style) is not a preset: its name, resnet8, was once unknown at load.
        var design = Architectures.ResNet(8);
        Assert.DoesNotContain(design.Name, ArchitectureRegistry.PresetNames);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Architecture = design, Epochs = 1 }))
            .Fit(TestData.Train(ml, 200));
        var path = Path.Combine(TestData.TempDirectory(), "resnet8.zip");
        ml.Model.Save(model, null, path);

        var loaded = new MLContext().LoadModel(path, out _);
        var test = TestData.Test(ml, 30);
        float[] Scores(ITransformer m) => m.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        Assert.Equal(Scores(model), Scores(loaded));
    }
}
