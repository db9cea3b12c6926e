using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Images;
using MLToolkit.Datasets.Segmentation;
using MLToolkit.Trainers.Segmentation;
using TorchSharp;

namespace MLToolkit.UnitTests.Segmentation;

/// <summary>FCN and U-Net built, trained through the ML.NET estimator, scored, saved and loaded.</summary>
public class SegmentationTrainingTests
{
    static readonly SceneOptions Small = new() { Size = 32, MinDigitSize = 14, MaxDigitSize = 22, TrainScenes = 800, TestScenes = 100 };

    public static TheoryData<string> Designs => new(SegmentationNetworks.Names);

    [Theory]
    [MemberData(nameof(Designs))]
    public void Each_design_scores_every_pixel_of_images_of_any_size(string name)
    {
        using var scope = torch.NewDisposeScope();
        var design = SegmentationNetworks.Create(name);
        foreach (var (height, width) in new[] { (64, 64), (37, 50) })
        {
            using var network = design.Build(new ImageShape(3, height, width), 5);
            network.eval();
            var scores = network.call(torch.rand(2, 3, height, width));
            Assert.Equal([2L, 5, height, width], scores.shape);
            Assert.True(scores.isfinite().all().item<bool>());
        }
    }

    [Fact]
    public void A_bilinear_transposed_convolution_starts_as_bilinear_upsampling()
    {
        using var scope = torch.NewDisposeScope();
        using var up = Layers.UpConv(4).Build([3, 8, 8], new MLToolkit.Trainers.NetworkLayers.BuildContext(3, MLToolkit.Trainers.NetworkLayers.Initializer.HeNormal));
        var input = torch.rand(1, 3, 8, 8);
        var output = up.call(input);
        Assert.Equal([1L, 3, 32, 32], output.shape);
        // Away from the borders (where the transposed convolution sees zeros) it equals bilinear interpolation.
        var bilinear = torch.nn.functional.interpolate(input, [32, 32], mode: torch.InterpolationMode.Bilinear, align_corners: false);
        Assert.True(output[.., .., 4..28, 4..28].allclose(bilinear[.., .., 4..28, 4..28], rtol: 1e-4, atol: 1e-5));
    }

    static (SegmentationTransformer Model, IDataView Test, MLContext Ml) Train(ISegmentationArchitecture design, int epochs = 4)
    {
        var ml = new MLContext(seed: 1);
        // One large digit per scene: a few hundred steps learn it (two small digits need thousands, see BENCHMARKS.md).
        var (train, test) = MnistScenes.Generate(ml, Small with { DigitsPerScene = 1, MinDigitSize = 24, MaxDigitSize = 28, TrainScenes = 3200 });
        var model = ml.Segmentation().Trainers.Cnn(new SegmentationOptions
        {
            Classes = MnistScenes.Classes, ClassNames = MnistScenes.ClassNames, Architecture = design, Augmentation = null,
            Training = new CnnOptions { Epochs = epochs, BatchSize = 32, Seed = 3, Optimizer = Optimizers.Adam(3e-3), LearningRateSchedule = Schedules.OneCycle() },
        }).Fit(train);
        return (model, test, ml);
    }

    [Fact]
    public void A_short_training_run_lifts_mean_iou_far_above_the_all_background_baseline_and_saves_and_loads_to_the_same_masks()
    {
        var (model, test, ml) = Train(SegmentationNetworks.Fcn1s());
        var scored = model.Transform(test);
        var metrics = ml.Segmentation().Evaluate(scored, MnistScenes.Classes);
        var truth = test.GetColumn<uint[]>(SegmentationData.Mask).ToArray();
        var baseline = SegmentationMetrics.FromMasks(truth.Select(t => (t, new uint[t.Length])), MnistScenes.Classes);
        Assert.True(metrics.MeanIoU > baseline.MeanIoU + 0.3, $"mIoU {metrics.MeanIoU:F3} against {baseline.MeanIoU:F3} for all background");
        Assert.True(metrics.PixelAccuracy > 0.9, $"pixel accuracy {metrics.PixelAccuracy:P1}");
        Assert.Equal(4, model.History.Count);

        var path = Path.Combine(TestData.TempDirectory(), "segmenter.zip");
        ml.Model.Save(model, test.Schema, path);
        var loaded = new MLContext().LoadModel(path, out _);
        var before = scored.GetColumn<uint[]>("PredictedMask").ToArray();
        Assert.Equal(before, loaded.Transform(test).GetColumn<uint[]>("PredictedMask").ToArray());
        Assert.Equal(MnistScenes.ClassNames, Assert.IsType<SegmentationTransformer>(loaded).ClassNames);

        // One scene at a time through a PredictionEngine, as an app serves it.
        var engine = ml.Model.CreatePredictionEngine<Scene, SceneMask>(loaded);
        var first = ml.Data.CreateEnumerable<Scene>(ml.Data.TakeRows(test, 1), reuseRowObject: false).Single();
        Assert.Equal(before[0], engine.Predict(first).PredictedMask);
    }

    [Fact]
    public void Scores_per_pixel_are_added_when_asked_and_sum_to_one()
    {
        var ml = new MLContext(seed: 2);
        var (train, test) = MnistScenes.Generate(ml, Small with { TrainScenes = 64, TestScenes = 4 });
        var model = ml.Segmentation().Trainers.Cnn(new SegmentationOptions
        {
            Classes = 11, Architecture = SegmentationNetworks.Fcn8s(), ScoresColumnName = "PixelScores",
            Training = new CnnOptions { Epochs = 1, BatchSize = 16, Seed = 1 },
        }).Fit(train);
        var scored = model.Transform(test);
        var scores = scored.GetColumn<float[]>("PixelScores").First();
        Assert.Equal(11 * 32 * 32, scores.Length);
        Assert.Equal(1f, Enumerable.Range(0, 11).Sum(c => scores[c * 1024 + 500]), 4);
        Assert.Null(model.Transform(test).Schema.GetColumnOrNull("MLToolkit.UnusedScores"));
    }

    [Fact]
    public void Bad_options_and_bad_masks_are_refused_by_name()
    {
        var ml = new MLContext();
        Assert.Contains("Classes", Assert.Throws<ArgumentException>(() => ml.Segmentation().Trainers.Cnn(new SegmentationOptions { Classes = 1 })).Message);
        var (train, _) = MnistScenes.Generate(ml, Small with { TrainScenes = 8, TestScenes = 0 });
        // Masks of 11 classes given to a 5-class trainer: the first out-of-range class is named with its row.
        var error = Assert.Throws<ArgumentException>(() => ml.Segmentation().Trainers.Cnn(new SegmentationOptions
        {
            Classes = 5, Training = new CnnOptions { Epochs = 1 },
        }).Fit(train));
        Assert.Contains("column 'Mask' has class", error.Message);
    }

    /// <summary>A scene as an app holds it.</summary>
    public sealed class Scene
    {
        /// <summary>32×32 grey pixels.</summary>
        [VectorType(1, 32, 32)] public float[] Image { get; set; } = [];
    }

    /// <summary>The predicted classes.</summary>
    public sealed class SceneMask
    {
        /// <summary>One class per pixel.</summary>
        public uint[] PredictedMask { get; set; } = [];
    }
}
