using Microsoft.ML;
using MLToolkit.Trainers.Training;

namespace MLToolkit.UnitTests.Trainers;

/// <summary>One small model trained once (2,000 MNIST images, 2 epochs) and shared by the tests that only read it.</summary>
public sealed class TrainedModelFixture
{
    public TrainedModelFixture()
    {
        ML = new MLContext(seed: 7);
        Train = TestData.Train(ML, 2000);
        Test = TestData.Test(ML, 1000);
        Pipeline = ML.Transforms.Conversion.MapValueToKey("Label")
            .Append(ML.MulticlassClassification.Trainers.Cnn(new CnnOptions
            {
                Epochs = 2,
                BatchSize = 50,
                Callbacks = { new ProgressCallback(onEpoch: (_, summary) => Epochs.Add(summary)) },
            }))
            .Append(ML.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        Model = Pipeline.Fit(Train);
    }

    public MLContext ML { get; }
    public IDataView Train { get; }
    public IDataView Test { get; }
    public IEstimator<ITransformer> Pipeline { get; }
    public ITransformer Model { get; }
    public List<EpochSummary> Epochs { get; } = [];
}
