using Microsoft.ML;
using MLToolkit;
using MLToolkit.Datasets.ImageFolders;

// A folder with train/<class>/*.jpg and val/<class>/*.jpg (or one subfolder per class, split by fraction).
var root = args.Length > 0 ? args[0] : "../shared/datasets/flowers-small";
var ml = new MLContext(seed: 1);
var data = ImageFolder.LoadPaths(ml, root);                 // ImagePath, Label (the class folder's name)
Console.WriteLine($"{data.Layout}: {string.Join(", ", data.ClassNames)}; {data.TrainCount} train, {data.ValidationCount} val");

// The label's keys are for training and testing; the model itself starts from the image path.
var labelKeys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data.Train);
var pipeline = ImageFolder.Preprocessing(ml, width: 160, height: 160, channels: 3)   // load, resize, pixels
    .Append(ml.Transforms.Augment("Image", Augmentations.RandomHorizontalFlip(), Augmentations.RandomCrop(padding: 20)))
    .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions
    {
        Architecture = Architectures.ResNet(18),
        Pretrained = PretrainedWeights.ImageNetResNet18(),  // from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18
        Epochs = 6,
        FreezeBackboneEpochs = 2,                           // the new head learns alone first
        BackboneLearningRateFactor = 0.1,                   // then the ImageNet features are fine-tuned gently
        BatchSize = 32,
        LearningRateSchedule = Schedules.Cosine(),
    }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

var model = pipeline.Fit(labelKeys.Transform(data.Train));
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(labelKeys.Transform(data.Validation)));
Console.WriteLine($"Validation accuracy: {metrics.MicroAccuracy:P2}");
ml.Model.Save(model, data.Train.Schema, "photos.zip");

// Any other app: an image path in, the class name and probabilities out.
var app = new MLContext().RegisterMLToolkit();
var engine = app.Model.CreatePredictionEngine<Photo, PhotoPrediction>(app.Model.Load("photos.zip", out _));
var photo = Directory.GetFiles(Path.Combine(root, "val"), "*.jpg", SearchOption.AllDirectories).Order().First();
var prediction = engine.Predict(new Photo { ImagePath = photo });
Console.WriteLine($"{Path.GetFileName(photo)}: {prediction.PredictedLabel} ({prediction.Score.Max():P1})");

public sealed class Photo
{
    public string ImagePath { get; set; } = "";
}

public sealed class PhotoPrediction
{
    public string PredictedLabel { get; set; } = "";
    public float[] Score { get; set; } = [];
}
