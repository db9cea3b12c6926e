using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Trainers.Estimators;

namespace MLToolkit.UnitTests.Trainers;

public class CnnTrainerTests(TrainedModelFixture trained) : IClassFixture<TrainedModelFixture>
{
    [Fact]
    public void Trains_above_90_percent_on_a_slice_of_mnist()
    {
        var metrics = trained.ML.MulticlassClassification.Evaluate(trained.Model.Transform(trained.Test));
        Assert.True(metrics.MicroAccuracy > 0.90, $"accuracy {metrics.MicroAccuracy:P2} on 1,000 test images");
        Assert.True(metrics.LogLoss < 0.4, $"log-loss {metrics.LogLoss:F3}");
    }

    [Fact]
    public void Reports_progress_every_epoch_with_falling_loss()
    {
        Assert.Equal(2, trained.Epochs.Count);
        Assert.Equal([1, 2], trained.Epochs.Select(e => e.Epoch));
        Assert.True(trained.Epochs[1].Loss < trained.Epochs[0].Loss);
        Assert.All(trained.Epochs, e => Assert.Equal(1e-3, e.LearningRate, 9));
    }

    [Fact]
    public void Adds_score_and_predicted_label_mapped_back_to_digits()
    {
        var scored = trained.Model.Transform(trained.Test);
        var score = scored.Schema["Score"];
        Assert.Equal(10, ((VectorDataViewType)score.Type).Size);
        var probabilities = scored.GetColumn<float[]>("Score").Take(20).ToArray();
        Assert.All(probabilities, p => Assert.Equal(1f, p.Sum(), 3));

        var predicted = scored.GetColumn<uint>("PredictedLabel").Take(200).ToArray();
        // The pipeline turned Label into a key; the digits are in the original data.
        var truth = trained.Test.GetColumn<uint>("Label").Take(200).ToArray();
        Assert.All(predicted, p => Assert.InRange(p, 0u, 9u));
        Assert.True(predicted.Zip(truth).Count(x => x.First == x.Second) > 170);
    }

    [Fact]
    public void Same_seed_gives_identical_metrics()
    {
        MulticlassClassificationMetrics Run()
        {
            var ml = new MLContext(seed: 3);
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Epochs = 1, BatchSize = 50, Threads = 2 }));
            var model = pipeline.Fit(TestData.Train(ml, 1000));
            return ml.MulticlassClassification.Evaluate(model.Transform(TestData.Test(ml, 500)));
        }
        var first = Run();
        var second = Run();
        Assert.Equal(first.MicroAccuracy, second.MicroAccuracy);
        Assert.Equal(first.LogLoss, second.LogLoss);
    }

    [Fact]
    public void Label_must_be_a_key()
    {
        var ml = new MLContext(seed: 1);
        var trainer = ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Epochs = 1 });
        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(TestData.Train(ml, 100)));
        Assert.Contains("MapValueToKey", error.Message);
    }

    [Fact]
    public void Missing_image_column_is_named()
    {
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { FeatureColumnName = "Pixels", Epochs = 1 }));
        var error = Assert.Throws<ArgumentException>(() => pipeline.Fit(TestData.Train(ml, 100)));
        Assert.Contains("'Pixels'", error.Message);
    }

    [Theory]
    [InlineData(nameof(CnnOptions.Epochs))]
    [InlineData(nameof(CnnOptions.BatchSize))]
    [InlineData(nameof(CnnOptions.Threads))]
    [InlineData(nameof(CnnOptions.Device))]
    public void Invalid_options_fail_when_the_trainer_is_created(string option)
    {
        var options = new CnnOptions();
        switch (option)
        {
            case nameof(CnnOptions.Epochs): options.Epochs = 0; break;
            case nameof(CnnOptions.BatchSize): options.BatchSize = -1; break;
            case nameof(CnnOptions.Threads): options.Threads = 0; break;
            case nameof(CnnOptions.Device): options.Device = "gpu0"; break;
        }
        var error = Assert.Throws<ArgumentException>(() => new MLContext().MulticlassClassification.Trainers.Cnn(options));
        Assert.Contains(option, error.Message);
    }

    [Fact]
    public void Invalid_learning_rate_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Optimizers.Adam(learningRate: 0));
        Assert.Contains("LearningRate", error.Message);
    }

    [SkippableFact]
    public void Cuda_device_fails_with_a_clear_message()
    {
        Skip.If(TorchSharp.torch.cuda.is_available(), "a CUDA GPU is present: the message is about a missing one");
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Device = "cuda", Epochs = 1 }));
        var error = Assert.Throws<InvalidOperationException>(() => pipeline.Fit(TestData.Train(ml, 100)));
        Assert.Contains("CUDA is not available", error.Message);
    }

    [Fact]
    public void Diverging_training_stops_with_a_message()
    {
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions
            {
                Epochs = 1, BatchSize = 50, Optimizer = Optimizers.SgdMomentum(learningRate: 1e6),
            }));
        var error = Assert.Throws<InvalidOperationException>(() => pipeline.Fit(TestData.Train(ml, 500)));
        Assert.Contains("diverged", error.Message);
    }
}
