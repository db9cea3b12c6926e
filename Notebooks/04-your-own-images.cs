// Your own images
// The notebook 04-your-own-images.ipynb as a file-based app, the path forward now that Polyglot Notebooks are
// deprecated. Run from the repository root: dotnet run Notebooks/04-your-own-images.cs
// (MLTOOLKIT_QUICK=1 runs it on a small slice, as the tests do).
#:project ../Trainers/MLToolkit.Trainers.csproj
// The app chooses libtorch; its version comes from Directory.Packages.props (elsewhere: TorchSharp-cpu@0.107.0).
#:package TorchSharp-cpu
#:property PlatformTarget=x64
#:property PublishAot=false

using System.IO;
using Microsoft.ML;
using MLToolkit;
using MLToolkit.Datasets.ImageFolders;
using MLToolkit.Datasets.Mnist;

// quick = true runs on a small slice in seconds; the test suite runs every notebook that way
// (it sets MLTOOLKIT_QUICK=1). Set it to false for the full data.
bool quick = Environment.GetEnvironmentVariable("MLTOOLKIT_QUICK") == "1";

var ml = new MLContext(seed: 1);
var folder = Path.Combine(Path.GetTempPath(), $"my-digits-{Guid.NewGuid():N}");
int written = ImageFolderWriter.Write(Mnist.Load(ml).Train, folder, perClass: quick ? 100 : 300);
Console.WriteLine($"Wrote {written} PNG files to {folder}");

var data = ImageFolder.Load(ml, folder, width: 28, height: 28, channels: 1, new ImageFolderOptions { Seed = 1 });
Console.WriteLine($"Classes: {string.Join(", ", data.ClassNames)}; skipped {data.Skipped.Count} file(s)");

var labelKeys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data.Train);
var model = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions
    {
        Architecture = Architectures.MnistBestCnn(),
        Epochs = quick ? 10 : 15,
        BatchSize = 32,
        ValidationData = labelKeys.Transform(data.Validation),
    }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
    .Fit(data.Train);
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data.Test));
Console.WriteLine($"Test accuracy on held-out pictures: {metrics.MicroAccuracy:P1}");
