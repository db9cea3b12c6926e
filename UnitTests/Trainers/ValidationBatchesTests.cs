using Microsoft.ML;
using MLToolkit.Trainers.Training;

namespace MLToolkit.UnitTests.Trainers;

/// <summary>
/// Validation scores every validation image, batch after batch. One-channel batches are views into the validation
/// tensor; they lost their offset on the way to the channels-last layout, so every batch after the first scored the
/// first batch's images again, and validation loss, accuracy, early stopping and the best epoch were wrong.
/// </summary>
public class ValidationBatchesTests
{
    [Fact]
    public void The_last_epochs_validation_accuracy_is_the_evaluated_accuracy_of_the_trained_model()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Train(ml, 600);
        // The validation rows in the trainer's own columns (the label already a key), as ValidationData asks.
        var validation = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(TestData.Test(ml, 700));
        var epochs = new List<EpochSummary>();
        var model = ml.MulticlassClassification.Trainers.Cnn(new CnnOptions
            {
                Architecture = Architectures.MnistClassic(), Epochs = 2, BatchSize = 20, Seed = 2,
                // Three validation batches: 256, 256 and 188 images.
                ValidationData = validation, PredictionBatchSize = 256,
                Callbacks = { new ProgressCallback(onEpoch: (_, summary) => epochs.Add(summary)) },
            })
            .Fit(ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train));

        var evaluated = ml.MulticlassClassification.Evaluate(model.Transform(validation)).MicroAccuracy;
        var reported = epochs[^1].ValidationAccuracy!.Value;
        // A model that tells digits apart, so that scoring other images would show.
        Assert.True(evaluated > 0.5, $"the trained model scores {evaluated:P2}");
        Assert.True(Math.Abs(reported - evaluated) < 0.5 / 700, $"validation reported {reported:P2}, the trained model scores {evaluated:P2} on the same 700 images");
    }
}
