using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit;
using MLToolkit.Datasets.Mnist;

var ml = new MLContext(seed: 1);
var (train, test) = Mnist.Load(ml);          // Image: 784 floats (1x28x28), Label: the digit

var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions
    {
        Architecture = Architectures.MnistClassic(),
        Epochs = 10,
        BatchSize = 100,
        Optimizer = Optimizers.Adam(learningRate: 1e-3),
        LearningRateSchedule = Schedules.StepDecay(everyEpochs: 3, factor: 0.5),
    }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

var model = pipeline.Fit(train);
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
Console.WriteLine($"Test accuracy: {metrics.MicroAccuracy:P2}");
ml.Model.Save(model, train.Schema, "mnist.zip");

// Later, in any .NET app: one registration line, then plain ML.NET.
var app = new MLContext().RegisterMLToolkit();
var loaded = app.Model.Load("mnist.zip", out _);
var engine = app.Model.CreatePredictionEngine<Digit, DigitPrediction>(loaded);
var first = app.Data.CreateEnumerable<Digit>(test, reuseRowObject: false).First();
Console.WriteLine($"The first test digit is a {engine.Predict(first).PredictedLabel}");

public sealed class Digit
{
    [VectorType(1, 28, 28)] public float[] Image { get; set; } = [];
    public uint Label { get; set; }
}

public sealed class DigitPrediction
{
    public uint PredictedLabel { get; set; }
    public float[] Score { get; set; } = [];
}
