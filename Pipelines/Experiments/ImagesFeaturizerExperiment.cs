using Microsoft.ML;
using MLToolkit.Pipelines.Runs;
using MLToolkit.Trainers.Networks.Pretrained;

namespace MLToolkit.Pipelines.Experiments;

/// <summary>
/// What an ML.NET user can do with a folder of photos without this toolkit, for comparison with
/// <see cref="ImagesExperiment"/>: ML.NET's <c>DnnFeaturizeImage</c> with the same ImageNet ResNet-18
/// (224×224, the package's own preprocessing) turns each photo into 512 features, and
/// <c>LbfgsMaximumEntropy</c> learns the classes from them. Nothing is fine-tuned.
/// </summary>
public sealed class ImagesFeaturizerExperiment : IExperiment
{
    /// <inheritdoc />
    public string Name => "images-featurizer";

    /// <inheritdoc />
    public string Description => "For comparison: ML.NET's DnnFeaturizeImage (ResNet-18) + LbfgsMaximumEntropy on your photos (--data)";

    /// <inheritdoc />
    public ExperimentResult Run(ExperimentContext context)
    {
        var ml = context.ML;
        var data = ImagesExperiment.LoadFolder(context);
        var test = data.TestCount > 0 ? data.Test : data.Validation;
        // The package's models folder (DnnImageModels), wherever the restore put it.
        var models = Path.GetDirectoryName(Path.GetDirectoryName(ResNet18Package.OnnxPath()))!;
        var pipeline = ml.Transforms.LoadImages("Picture", null, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Picture", 224, 224))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Picture"))
            .Append(ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn, models), "Pixels"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy())
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var recorded = new Dictionary<string, object?>
        {
            ["layout"] = data.Layout.ToString(), ["folders"] = data.Folders, ["classes"] = data.ClassNames,
            ["trainImages"] = data.TrainCount, ["testImages"] = data.TestCount > 0 ? data.TestCount : data.ValidationCount,
            ["featurizer"] = $"DnnFeaturizeImage ResNet-18 ({ResNet18Package.Id} {ResNet18Package.Version}), 224x224",
            ["trainer"] = "LbfgsMaximumEntropy (defaults)", ["seed"] = context.Settings.Seed,
        };
        return context.FitAndEvaluate(pipeline, data.Train, test, recorded: recorded);
    }
}
