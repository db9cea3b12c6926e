using Microsoft.ML;
using MLToolkit.Datasets.Detection;
using MLToolkit.Trainers.Detection;

namespace MLToolkit.UnitTests.Detection;

/// <summary>The grid encoding round trip, and a short training run of the grid detector on generated scenes.</summary>
public class GridDetectorTests
{
    [Fact]
    public void Encoded_targets_decode_to_the_same_boxes()
    {
        var objects = new[] { new LabeledBox(3, new BoundingBox(10, 20, 40, 44)), new LabeledBox(7, new BoundingBox(70, 5, 90, 61)) };
        var targets = GridTargets.Encode(objects, 128, 128, 8);
        // Network outputs that say exactly the targets: objectness and class logits large, offsets as logits.
        int plane = 16 * 16;
        var outputs = new float[GridTargets.OutputChannels(10) * plane];
        for (int cell = 0; cell < plane; cell++)
        {
            outputs[cell] = targets[cell] > 0 ? 20 : -20;
            for (int k = 1; k <= 2; k++) outputs[k * plane + cell] = MathF.Log(targets[k * plane + cell] / (1 - targets[k * plane + cell]) + 1e-9f);
            for (int k = 3; k <= 4; k++) outputs[k * plane + cell] = targets[k * plane + cell];
            outputs[(5 + (int)targets[5 * plane + cell]) * plane + cell] = 20;
        }
        var decoded = GridTargets.Decode(TorchSharp.torch.tensor(outputs, new long[] { 1, 15, 16, 16 }), 8).Single();
        Assert.Equal(2, decoded.Count);
        foreach (var o in objects)
        {
            var match = Assert.Single(decoded, d => d.Label == o.Label);
            Assert.True(match.Box.IoU(o.Box) > 0.999f, $"{match.Box} for {o.Box}");
            Assert.True(match.Score > 0.99f);
        }
    }

    static readonly DetectionSceneOptions Small = new() { Size = 64, MinDigits = 1, MaxDigits = 2, MinDigitSize = 20, MaxDigitSize = 32, TrainScenes = 1500, TestScenes = 100, Seed = 3 };

    /// <summary>One short training run through the ML.NET estimator, shared by the tests below.</summary>
    static readonly Lazy<(MLContext ML, DetectionTransformer Model, IDataView Test)> Trained = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = MnistDetectionScenes.Generate(Small);
        var shape = MnistDetectionScenes.Shape(Small);
        var trainer = ml.Detection().Trainers.Cnn(new DetectionOptions
        {
            Classes = 10, ClassNames = MnistDetectionScenes.ClassNames, Architecture = new GridDetector([16, 32, 64], Head: 64),
            Training = new CnnOptions { Epochs = 4, BatchSize = 32, Optimizer = Optimizers.Adam(3e-3), LearningRateSchedule = Schedules.OneCycle(), Seed = 1 },
        });
        var model = trainer.Fit(DetectionData.FromScenes(ml, train, shape, MnistDetectionScenes.ClassNames));
        return (ml, model, DetectionData.FromScenes(ml, test, shape, MnistDetectionScenes.ClassNames));
    });

    [Fact]
    public void A_short_run_finds_digits_well_above_chance()
    {
        var (ml, model, test) = Trained.Value;
        Assert.True(model.History[^1].Loss < model.History[0].Loss, "the loss falls");
        var metrics = ml.Detection().Evaluate(model.Transform(test), classes: 10);
        Assert.True(metrics.VocMeanAP50 > 0.3, $"VOC AP50 {metrics.VocMeanAP50:F3} after a short run (COCO mAP {metrics.CocoMeanAP:F3})");
    }

    sealed class SceneRow
    {
        [Microsoft.ML.Data.VectorType(1, 64, 64)] public float[] Image { get; set; } = [];
    }

    sealed class Found
    {
        public uint[] PredictedLabels { get; set; } = [];
        public float[] PredictedBoxes { get; set; } = [];
        public float[] Scores { get; set; } = [];
    }

    [Fact]
    public void Saved_and_loaded_model_gives_identical_detections_in_Transform_and_PredictionEngine()
    {
        var (ml, model, test) = Trained.Value;
        string path = Path.Combine(TestData.TempDirectory(), "detector.zip");
        ml.Model.Save(model, test.Schema, path);
        var loaded = new MLContext().LoadModel(path, out _);
        var before = model.Transform(test);
        var after = loaded.Transform(test);
        Assert.Equal(before.GetColumn<float[]>("PredictedBoxes").ToArray(), after.GetColumn<float[]>("PredictedBoxes").ToArray());
        Assert.Equal(before.GetColumn<float[]>("Scores").ToArray(), after.GetColumn<float[]>("Scores").ToArray());
        Assert.Contains(after.GetColumn<float[]>("Scores"), s => s.Length > 0);
        var engine = ml.Model.CreatePredictionEngine<SceneRow, Found>(loaded);
        var first = ml.Data.CreateEnumerable<SceneRow>(test, reuseRowObject: false).First();
        var single = engine.Predict(first);
        Assert.Equal(before.GetColumn<float[]>("PredictedBoxes").First(), single.PredictedBoxes);
        Assert.Equal(single.Scores.Length, single.PredictedLabels.Length);
        Assert.All(single.PredictedLabels, key => Assert.InRange(key, 1u, 10u));
    }

    [Fact]
    public void Exported_detector_gives_the_networks_grid_and_its_stride()
    {
        var (ml, model, test) = Trained.Value;
        string onnx = Path.Combine(TestData.TempDirectory(), "detector.onnx");
        model.ExportOnnx(onnx);
        var images = test.GetColumn<float[]>("Image").Take(4).SelectMany(i => i).ToArray();
        var grid = MLToolkit.UnitTests.Onnx.OnnxRunner.Run(onnx, images, 4, [1, 64, 64])[OnnxExport.GridName];
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        var expected = model.Scorer.Networks[0].call(TorchSharp.torch.tensor(images, new long[] { 4, 1, 64, 64 })).data<float>().ToArray();
        Assert.True(expected.Zip(grid, (e, a) => Math.Abs(e - a)).Max() <= 1e-3, "the exported grid differs from the network's");
        Assert.Equal("detection", OnnxExport.ReadMetadata(onnx).Task);
        // Decoding the exported grid gives the model's own detections.
        var decoded = GridTargets.Decode(TorchSharp.torch.tensor(grid, new long[] { 4, 15, 8, 8 }), 8);
        Assert.Equal(model.Detect(images, 4).Select(d => d.Count), decoded.Select(d => d.Count));
    }
}

/// <summary>The grid head on the zoo's backbones.</summary>
public class ZooGridDetectorTests
{
    [Theory]
    [InlineData("resnet20", 1, 64, 4)]
    [InlineData("vgg11-bn", 3, 64, 32)]
    [InlineData("densenet-bc40", 1, 32, 4)]
    [InlineData("resnet18", 3, 128, 32)]
    public void The_zoo_features_carry_the_grid_head_at_their_stride(string backbone, int channels, int side, int stride)
    {
        var architecture = new ZooGridDetector(backbone, Head: 32);
        Assert.Equal(stride, architecture.StrideFor(new MLToolkit.Datasets.Images.ImageShape(channels, side, side)));
        using var network = architecture.Build(new MLToolkit.Datasets.Images.ImageShape(channels, side, side), 10);
        network.eval();
        using var scope = TorchSharp.torch.NewDisposeScope();
        var output = network.call(TorchSharp.torch.rand(2, channels, side, side));
        Assert.Equal([2L, 15, side / stride, side / stride], output.shape);
    }

    [Fact]
    public void A_design_without_layers_or_head_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => new ZooGridDetector("mnist-best").Build(new MLToolkit.Datasets.Images.ImageShape(1, 32, 32), 10));
        Assert.Contains("'mnist-best' is not a layered architecture", error.Message);
    }

    [Fact]
    public void A_detector_on_a_zoo_backbone_saves_and_loads()
    {
        var ml = new MLContext(seed: 1);
        var options = new DetectionSceneOptions { Size = 32, MinDigits = 1, MaxDigits = 1, MinDigitSize = 16, MaxDigitSize = 24, TrainScenes = 64, TestScenes = 8 };
        var (train, test) = MnistDetectionScenes.Generate(options);
        var shape = MnistDetectionScenes.Shape(options);
        var model = ml.Detection().Trainers.Cnn(new DetectionOptions
        {
            Classes = 10, Architecture = new ZooGridDetector("resnet20", Head: 16),
            Training = new CnnOptions { Epochs = 1, BatchSize = 16, Seed = 1 },
        }).Fit(DetectionData.FromScenes(ml, train, shape, MnistDetectionScenes.ClassNames));
        var data = DetectionData.FromScenes(ml, test, shape, MnistDetectionScenes.ClassNames);
        string path = Path.Combine(TestData.TempDirectory(), "zoo-detector.zip");
        ml.Model.Save(model, data.Schema, path);
        var loaded = new MLContext().LoadModel(path, out _);
        Assert.Equal(model.Transform(data).GetColumn<float[]>("Scores").ToArray(), loaded.Transform(data).GetColumn<float[]>("Scores").ToArray());
        Assert.Equal("grid-detector-resnet20", Assert.IsType<DetectionTransformer>(loaded.Flatten().Single()).Settings.Architecture.Name);
    }
}
