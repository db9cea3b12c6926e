using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Trainers.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.UnitTests.Augmentation;

public class AugmentationTests
{
    /// <summary>A batch of 16 real MNIST training images.</summary>
    static Tensor Batch()
    {
        var ml = new MLContext();
        var pixels = TestData.Train(ml, 16).GetColumn<float[]>("Image").SelectMany(x => x).ToArray();
        return torch.tensor(pixels, new long[] { 16, 1, 28, 28 });
    }

    public static TheoryData<string> Steps => new() { "affine", "flip", "crop", "erasing", "brightness" };

    static IAugmentation Step(string name) => name switch
    {
        "affine" => Augmentations.RandomAffine(rotationDegrees: 15, shift: 0.1, zoom: 0.1),
        "flip" => Augmentations.RandomHorizontalFlip(),
        "crop" => Augmentations.RandomCrop(padding: 3),
        "erasing" => Augmentations.RandomErasing(probability: 1),
        _ => Augmentations.BrightnessContrast(0.3, 0.3),
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public void Each_step_changes_a_batch_reproducibly_and_keeps_its_shape(string name)
    {
        using var scope = torch.NewDisposeScope();
        var images = Batch();
        var step = Step(name);
        var first = step.Apply(images, new Generator(42));
        var again = step.Apply(images, new Generator(42));
        var other = step.Apply(images, new Generator(43));

        Assert.Equal(images.shape, first.shape);
        Assert.True(first.allclose(again), "the same seed must give the same batch");
        Assert.False(first.allclose(images), "the batch must change");
        Assert.False(first.allclose(other), "another seed must give other draws");
        Assert.InRange(first.min().item<float>(), -1e-5f, 1f);
        Assert.InRange(first.max().item<float>(), 0f, 1f + 1e-5f);
    }

    [Fact]
    public void Flip_with_certainty_mirrors_and_crop_without_padding_is_identity()
    {
        using var scope = torch.NewDisposeScope();
        var images = Batch();
        Assert.True(new RandomHorizontalFlip(1).Apply(images, new Generator(1)).allclose(images.flip(3)));
        Assert.True(new RandomCrop(0).Apply(images, new Generator(1)).allclose(images));
    }

    [Fact]
    public void Invalid_settings_name_the_setting()
    {
        var error = Assert.Throws<ArgumentException>(() => Augmentations.RandomErasing(probability: 1.5));
        Assert.Contains("probability", error.Message);
        Assert.Throws<ArgumentException>(() => new MLContext().Transforms.Augment("Image"));
    }

    [Fact]
    public void Policy_round_trips_through_json()
    {
        var policy = new AugmentationPolicy([Augmentations.RandomAffine(10, 0.1, 0.05), Augmentations.RandomErasing(0.3)]);
        var copy = AugmentationPolicy.FromJson(policy.ToJson());
        Assert.Equal(policy.Steps, copy.Steps);
    }

    [Fact]
    public void Augment_stage_changes_no_rows_and_prediction_is_unchanged()
    {
        var ml = new MLContext(seed: 5);
        var train = TestData.Train(ml, 1000);
        var test = TestData.Test(ml, 200);
        var augment = ml.Transforms.Augment("Image", Augmentations.RandomAffine(10, 0.1));
        var stage = augment.Fit(train);

        // Rows pass through untouched; the policy rides on the column.
        var before = test.GetColumn<float[]>("Image").ToArray();
        var after = stage.Transform(test).GetColumn<float[]>("Image").ToArray();
        Assert.Equal(before, after);
        Assert.NotNull(AugmentationPolicy.FromColumn(stage.Transform(test).Schema["Image"]));

        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(augment)
            .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Epochs = 1, BatchSize = 50 }))
            .Fit(train);
        var scores = model.Transform(test).GetColumn<float[]>("Score").ToArray();
        var scoresAgain = model.Transform(test).GetColumn<float[]>("Score").ToArray();
        Assert.Equal(scores, scoresAgain); // nothing random at prediction time

        var engine = ml.Model.CreatePredictionEngine<Persistence.DigitInput, Persistence.DigitPrediction>(model);
        var input = ml.Data.CreateEnumerable<Persistence.DigitInput>(test, reuseRowObject: false).First();
        // Same model, one image per pass instead of a batch: equal up to rounding.
        Assert.All(scores[0].Zip(engine.Predict(input).Score), p => Assert.Equal(p.First, p.Second, 1e-5f));

        // The augmentation stage saves and loads with the model.
        var path = Path.Combine(TestData.TempDirectory(), "augmented.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = new MLContext().LoadModel(path, out _);
        Assert.Equal(scores, loaded.Transform(test).GetColumn<float[]>("Score").ToArray());
    }

    [Fact]
    public void Augmentation_changes_what_the_trainer_learns()
    {
        float[] FirstScore(bool augment)
        {
            var ml = new MLContext(seed: 9);
            IEstimator<ITransformer> pipeline = ml.Transforms.Conversion.MapValueToKey("Label");
            if (augment) pipeline = pipeline.Append(ml.Transforms.Augment("Image", Augmentations.RandomAffine(15, 0.1)));
            var model = pipeline.Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Epochs = 1, BatchSize = 50 }))
                .Fit(TestData.Train(ml, 500));
            return model.Transform(TestData.Test(ml, 1)).GetColumn<float[]>("Score").Single();
        }
        Assert.NotEqual(FirstScore(false), FirstScore(true));
    }
}
