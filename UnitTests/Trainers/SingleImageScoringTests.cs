using Microsoft.ML;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Trainers.Networks;
using MLToolkit.UnitTests.Persistence;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.UnitTests.Trainers;

/// <summary>
/// <c>PredictionEngine</c> scores one image through ONNX Runtime where the networks export (NetworkScorer.ScoreOne),
/// and through libtorch where they do not; either way it gives what <c>Transform</c> gives.
/// </summary>
public class SingleImageScoringTests
{
    static (MLContext Ml, ITransformer Model) Train(IArchitecture architecture)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Augment("Image", MLToolkit.Augmentations.RandomAffine(10, 0.1, 0.1)))
            .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Architecture = architecture, Epochs = 1, BatchSize = 50, Seed = 4 }))
            .Fit(TestData.Train(ml, 300));
        return (ml, model);
    }

    static CnnTransformer Cnn(ITransformer model) => ((IEnumerable<ITransformer>)model).OfType<CnnTransformer>().Single();

    static void EngineAgreesWithTransform(MLContext ml, ITransformer model)
    {
        var test = TestData.Test(ml, 50);
        var scores = model.Transform(test).GetColumn<float[]>("Score").ToArray();
        var inputs = ml.Data.CreateEnumerable<DigitInput>(test, reuseRowObject: false).ToArray();
        using var engine = ml.Model.CreatePredictionEngine<DigitInput, DigitPrediction>(model);
        for (int i = 0; i < inputs.Length; i++)
        {
            var score = engine.Predict(inputs[i]).Score;
            for (int c = 0; c < 10; c++) Assert.Equal(scores[i][c], score[c], 1e-5f);
        }
    }

    [Fact]
    public void The_recipe_network_is_scored_by_onnx_runtime_one_image_at_a_time_as_transform_scores_it()
    {
        var (ml, model) = Train(MLToolkit.Architectures.MnistBestCnn());
        EngineAgreesWithTransform(ml, model);
        Assert.True(Cnn(model).Scorer.ScoresSingleImagesWithOnnx);
        // Test-time views are drawn by torch: that model scores one image with libtorch, still as Transform does.
        var withViews = model.WithTestTimeAugmentation(2);
        EngineAgreesWithTransform(ml, withViews);
        Assert.False(Cnn(withViews).Scorer.ScoresSingleImagesWithOnnx);
    }

    /// <summary>A layer of the user's own that the ONNX exporter does not know.</summary>
    sealed class Halve() : nn.Module<Tensor, Tensor>("halve")
    {
        public override Tensor forward(Tensor input) => input * 0.5;
    }

    sealed class OwnDesign : IArchitecture
    {
        public string Name => "own-design-with-a-custom-layer";

        public nn.Module<Tensor, Tensor> Build(ImageShape input, int classes) => nn.Sequential(
            ("conv", nn.Conv2d(input.Channels, 8, 3, padding: 1)), ("halve", new Halve()), ("relu", nn.ReLU()),
            ("flatten", nn.Flatten()), ("output", nn.Linear(8 * input.Height * input.Width, classes)));
    }

    [Fact]
    public void A_network_the_exporter_does_not_know_is_scored_by_libtorch()
    {
        var (ml, model) = Train(new OwnDesign());
        EngineAgreesWithTransform(ml, model);
        Assert.False(Cnn(model).Scorer.ScoresSingleImagesWithOnnx);
    }
}
