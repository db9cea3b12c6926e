// The best-CNN pipeline: augmentation, batch norm, learning-rate decay, ensemble
// The notebook 03-best-cnn-pipeline.ipynb as a file-based app, the path forward now that Polyglot Notebooks are
// deprecated. Run from the repository root: dotnet run Notebooks/03-best-cnn-pipeline.cs
// (MLTOOLKIT_QUICK=1 runs it on a small slice, as the tests do).
#:project ../Trainers/MLToolkit.Trainers.csproj
// The app chooses libtorch; its version comes from Directory.Packages.props (elsewhere: TorchSharp-cpu@0.107.0).
#:package TorchSharp-cpu
#:property PlatformTarget=x64
#:property PublishAot=false

using Microsoft.ML;
using MLToolkit;
using MLToolkit.Datasets.Mnist;

// quick = true runs on a small slice in seconds; the test suite runs every notebook that way
// (it sets MLTOOLKIT_QUICK=1). Set it to false for the full data.
bool quick = Environment.GetEnvironmentVariable("MLTOOLKIT_QUICK") == "1";

var ml = new MLContext(seed: 1);
var (train, test) = Mnist.Load(ml);
// quick: 5,000 images, 2 members of 2 epochs (about 97%); the full run is the mnist-best experiment (99.70%).
if (quick) { train = ml.Data.TakeRows(train, 5000); test = ml.Data.TakeRows(test, 1000); }

var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    // Fresh random rotations, shifts and zooms for every batch while training; nothing at prediction.
    .Append(ml.Transforms.Augment("Image", Augmentations.RandomAffine(rotationDegrees: 10, shift: 0.1, zoom: 0.1)))
    .Append(ml.MulticlassClassification.Trainers.CnnEnsemble(members: quick ? 2 : 6, member: new CnnOptions
    {
        Architecture = Architectures.MnistBestCnn(),   // Conv-BN-ReLU blocks of 32, 64, 128 filters
        Epochs = quick ? 2 : 20,
        BatchSize = 100,
        Optimizer = Optimizers.Adam(2e-3),
        LearningRateSchedule = Schedules.Cosine(warmupEpochs: 1),
    }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
var model = pipeline.Fit(train);

var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
Console.WriteLine($"Ensemble test accuracy {metrics.MicroAccuracy:P2}");
