// Getting started: a CNN on MNIST in an ML.NET pipeline
// The notebook 01-getting-started.ipynb as a file-based app, the path forward now that Polyglot Notebooks are
// deprecated. Run from the repository root: dotnet run Notebooks/01-getting-started.cs
// (MLTOOLKIT_QUICK=1 runs it on a small slice, as the tests do).
#:project ../Trainers/MLToolkit.Trainers.csproj
// The app chooses libtorch; its version comes from Directory.Packages.props (elsewhere: TorchSharp-cpu@0.107.0).
#:package TorchSharp-cpu
#:property PlatformTarget=x64
#:property PublishAot=false

using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit;
using MLToolkit.Datasets.Mnist;

// quick = true runs on a small slice in seconds; the test suite runs every notebook that way
// (it sets MLTOOLKIT_QUICK=1). Set it to false for the full data.
bool quick = Environment.GetEnvironmentVariable("MLTOOLKIT_QUICK") == "1";

var ml = new MLContext(seed: 1);
var (train, test) = Mnist.Load(ml);
if (quick) { train = ml.Data.TakeRows(train, 2000); test = ml.Data.TakeRows(test, 500); }

var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions
    {
        Architecture = Architectures.MnistClassic(),
        Epochs = quick ? 1 : 10,
        Optimizer = Optimizers.Adam(1e-3),
        LearningRateSchedule = Schedules.StepDecay(everyEpochs: 3, factor: 0.5),
    }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
var model = pipeline.Fit(train);

var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
Console.WriteLine($"Test accuracy {metrics.MicroAccuracy:P2}, log-loss {metrics.LogLoss:F4}");

var path = Path.Combine(Path.GetTempPath(), $"mnist-{Guid.NewGuid():N}.zip");
ml.Model.Save(model, train.Schema, path);

var serving = new MLContext().RegisterMLToolkit();
var loaded = serving.Model.Load(path, out var schema);
var engine = serving.Model.CreatePredictionEngine<Digit, DigitPrediction>(loaded);
var first = ml.Data.CreateEnumerable<Digit>(test, reuseRowObject: false).First();
var prediction = engine.Predict(first);
Console.WriteLine($"Label {first.Label}, predicted {prediction.PredictedLabel} with probability {prediction.Score.Max():P1}");

public class Digit
{
    [VectorType(1, 28, 28)] public float[] Image { get; set; } = new float[784];
    public uint Label { get; set; }
}

public class DigitPrediction
{
    public uint PredictedLabel { get; set; }
    public float[] Score { get; set; } = [];
}
