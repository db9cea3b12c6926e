// Architectures, summaries, and why 1×1 and 3×3 convolutions save parameters
// The notebook 02-architectures.ipynb as a file-based app, the path forward now that Polyglot Notebooks are
// deprecated. Run from the repository root: dotnet run Notebooks/02-architectures.cs
// (MLTOOLKIT_QUICK=1 runs it on a small slice, as the tests do).
#:project ../Trainers/MLToolkit.Trainers.csproj
// The app chooses libtorch; its version comes from Directory.Packages.props (elsewhere: TorchSharp-cpu@0.107.0).
#:package TorchSharp-cpu
#:property PlatformTarget=x64
#:property PublishAot=false

using MLToolkit;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Networks.Zoo;
using MLToolkit.Trainers.Summary;
using static MLToolkit.Layers;
using Padding = MLToolkit.Trainers.NetworkLayers.Padding;
using Microsoft.ML;
using MLToolkit.Datasets.Segmentation;
using MLToolkit.Trainers.Segmentation;

// quick = true runs on a small slice in seconds; the test suite runs every notebook that way
// (it sets MLTOOLKIT_QUICK=1). Set it to false for the full data.
bool quick = Environment.GetEnvironmentVariable("MLTOOLKIT_QUICK") == "1";

Console.WriteLine(ModelSummary.Of(Architectures.LeNet5(), new ImageShape(1, 32, 32)));

var names = quick ? new[] { "alexnet", "resnet18", "googlenet" }
                  : new[] { "alexnet", "zfnet", "vgg16", "googlenet", "resnet18", "resnet50", "densenet121" };
Console.WriteLine($"{"architecture",-12} {"parameters",14} {"MACs per image",16}");
foreach (var name in names)
{
    var s = ModelSummary.Of(ArchitectureRegistry.Create(name), new ImageShape(3, 224, 224), classes: 1000);
    Console.WriteLine($"{name,-12} {s.TotalParameters,14:N0} {s.TotalMultiplyAccumulates,16:N0}");
}

long[] input = [192, 28, 28];
var reduced = ModelSummary.Of(GoogLeNet.Inception(64, 96, 128, 16, 32, 32, wideKernel: 5), input, "Inception 3a with 1×1 reductions");
var naive = ModelSummary.Of(GoogLeNet.Inception(64, 96, 128, 16, 32, 32, wideKernel: 5, reduce: false), input, "naive Inception 3a");
Console.WriteLine(reduced);
Console.WriteLine(naive);
Console.WriteLine($"The reductions save {(double)naive.TotalParameters / reduced.TotalParameters:F1}× parameters " +
                  $"and {(double)naive.TotalMultiplyAccumulates / reduced.TotalMultiplyAccumulates:F1}× multiply-accumulates.");

var twoThrees = ModelSummary.Of(Sequence(Conv2D(64, 3, useBias: false), ReLU(), Conv2D(64, 3, useBias: false)), [64, 28, 28], "two 3×3");
var oneFive = ModelSummary.Of(Conv2D(64, 5, useBias: false), [64, 28, 28], "one 5×5");
Console.WriteLine($"two 3×3: {twoThrees.TotalParameters:N0} parameters; one 5×5: {oneFive.TotalParameters:N0}");

var mine = Architectures.Sequential("my-net",
    ConvBnRelu(32, 3),
    Residual(Sequence(ConvBnRelu(32, 3), Conv2D(32, 3, useBias: false), BatchNorm()), after: ReLU()),
    MaxPool(2),
    Concat(Conv2D(16, 1), Sequence(Conv2D(16, 1), Conv2D(32, 3))),
    GlobalAvgPool(), Dropout(0.3), Output());
Console.WriteLine(ModelSummary.Of(mine, new ImageShape(1, 28, 28)));

// ## Segmentation: a class for every pixel
//
// FCN (Long, Shelhamer, Darrell) turns a classifier's dense layers into convolutions and upsamples the
// class scores with transposed convolutions that start as bilinear interpolation; skips from earlier
// stages (FCN-16s, -8s) bring back detail. `SegmentationNetworks.Fcn1s()` carries the skips on to every
// stage and to the pixels themselves; `UNet()` is the symmetric encoder-decoder. They are layered designs
// like the zoo's, trained by `ml.Segmentation().Trainers.Cnn(...)` and measured by mean IoU from one
// confusion matrix over all test pixels (the `segment-mnist` experiment runs the full set).
// Two-digit MNIST scenes with a class per pixel (background + 10 digits); quick: small scenes, 2 epochs.
var ml = new MLContext(seed: 1);
var scenes = quick ? new SceneOptions { Size = 32, MinDigitSize = 14, MaxDigitSize = 22, TrainScenes = 400, TestScenes = 50 } : new SceneOptions();
var (sceneTrain, sceneTest) = MnistScenes.Generate(ml, scenes);
var segmenter = ml.Segmentation().Trainers.Cnn(new SegmentationOptions
{
    Classes = MnistScenes.Classes, ClassNames = MnistScenes.ClassNames,
    Architecture = SegmentationNetworks.Fcn1s(), Augmentation = null,
    Training = new CnnOptions { Epochs = quick ? 2 : 3, BatchSize = 32, Optimizer = Optimizers.Adam(3e-3), LearningRateSchedule = Schedules.OneCycle() },
}).Fit(sceneTrain);
var sceneMetrics = ml.Segmentation().Evaluate(segmenter.Transform(sceneTest), MnistScenes.Classes);
Console.WriteLine($"mean IoU {sceneMetrics.MeanIoU:F3}, pixel accuracy {sceneMetrics.PixelAccuracy:P2}");
Console.WriteLine("IoU per class: " + string.Join(", ", sceneMetrics.PerClassIoU.Select((v, c) => $"{MnistScenes.ClassNames[c]} {v:F2}")));
