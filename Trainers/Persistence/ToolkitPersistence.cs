using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLToolkit.Trainers.Augmentation;
using MLToolkit.Trainers.Detection;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Trainers.Scoring;
using MLToolkit.Trainers.Segmentation;

namespace MLToolkit.Trainers.Persistence;

/// <summary>
/// Saving and loading of the toolkit's transformers inside ordinary ML.NET model files: the CNN
/// (its networks travel as one verified binary entry of the zip that <c>ml.Model.Save</c> writes)
/// and the augmentation stage (its policy as JSON).
/// </summary>
internal static class ToolkitPersistence
{
    static readonly PersistenceFormat CnnFormat = new("MLToolkitCnnTransformer", "MLTKCNN1", version: 1);
    static readonly PersistenceFormat AugmentFormat = new("MLToolkitAugment", "MLTKAUG1", version: 1);
    static readonly PersistenceFormat SegmentationFormat = new("MLToolkitSegmentation", "MLTKSEG1", version: 1);
    static readonly PersistenceFormat DetectionFormat = new("MLToolkitDetection", "MLTKDET1", version: 1);

    const string NetworkStream = "Network";

    static ToolkitPersistence()
    {
        ModelPersistence.RegisterLoader(CnnFormat, LoadCnn);
        ModelPersistence.RegisterLoader(AugmentFormat, LoadAugment);
        ModelPersistence.RegisterLoader(SegmentationFormat, LoadSegmentation);
        ModelPersistence.RegisterLoader(DetectionFormat, LoadDetection);
    }

    /// <summary>
    /// Lets <paramref name="ml"/> load models that contain MLToolkit transformers. Call it once before
    /// <c>ml.Model.Load</c>; calling it again, or on several contexts, is harmless.
    /// </summary>
    public static void Register(MLContext ml) => ModelPersistence.Register(ml);

    internal static void Save(ModelSaveContext ctx, CnnTransformer model) =>
        ModelPersistence.Save(ctx, CnnFormat, writeHeader: _ => { }, new Dictionary<string, Action<BinaryWriter>>
        {
            [NetworkStream] = writer => CnnModelFile.Write(writer.BaseStream, model),
        });

    internal static void Save(ModelSaveContext ctx, AugmentTransformer stage) =>
        ModelPersistence.Save(ctx, AugmentFormat, writer =>
        {
            writer.Write(stage.ColumnName);
            writer.Write(stage.Policy.ToJson());
        });

    internal static void Save(ModelSaveContext ctx, SegmentationTransformer model) =>
        ModelPersistence.Save(ctx, SegmentationFormat, writer =>
        {
            writer.Write(model.PredictedMaskColumnName);
            writer.Write(model.ScoresColumnName ?? "");
        }, new Dictionary<string, Action<BinaryWriter>>
        {
            [NetworkStream] = writer => CnnModelFile.Write(writer.BaseStream, new StoredNetworks(model.FeatureColumnName, model.Scorer, [model.Architecture],
                model.ClassNames is null ? null : KeyValues.OfText(model.ClassNames))),
        });

    static ITransformer LoadSegmentation(IHostEnvironment env, LoadContextView view)
    {
        var maskColumn = view.Reader.ReadString();
        var scoresColumn = view.Reader.ReadString();
        using var stream = new MemoryStream(view.ReadBinaryStream(NetworkStream));
        var stored = CnnModelFile.ReadNetworks(stream, "The model file's segmentation entry");
        if (stored.Architectures is not [ISegmentationArchitecture architecture])
            throw new InvalidDataException("The model file's segmentation entry does not hold one segmentation network.");
        return new SegmentationTransformer(stored.FeatureColumn, maskColumn, scoresColumn.Length == 0 ? null : scoresColumn, stored.Scorer,
            architecture, stored.LabelValues?.Values, []);
    }

    internal static void Save(ModelSaveContext ctx, DetectionTransformer model) =>
        ModelPersistence.Save(ctx, DetectionFormat, writer =>
        {
            var settings = model.Settings;
            foreach (var name in new[] { settings.LabelsColumnName, settings.BoxesColumnName, settings.PredictedLabelsColumnName, settings.PredictedBoxesColumnName, settings.ScoresColumnName })
                writer.Write(name);
            writer.Write(settings.Classes);
            writer.Write(settings.MinScore);
            writer.Write(settings.IouThreshold);
            writer.Write(settings.MaxDetections);
        }, new Dictionary<string, Action<BinaryWriter>>
        {
            [NetworkStream] = writer => CnnModelFile.Write(writer.BaseStream, new StoredNetworks(model.Settings.FeatureColumnName, model.Scorer, [model.Settings.Architecture],
                model.Settings.ClassNames is null ? null : KeyValues.OfText(model.Settings.ClassNames))),
        });

    static ITransformer LoadDetection(IHostEnvironment env, LoadContextView view)
    {
        var reader = view.Reader;
        var (labels, boxes, predictedLabels, predictedBoxes, scores) = (reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString());
        int classes = reader.ReadInt32();
        float minScore = reader.ReadSingle(), iou = reader.ReadSingle();
        int maxDetections = reader.ReadInt32();
        using var stream = new MemoryStream(view.ReadBinaryStream(NetworkStream));
        var stored = CnnModelFile.ReadNetworks(stream, "The model file's detection entry");
        if (stored.Architectures is not [IDetectionArchitecture architecture])
            throw new InvalidDataException("The model file's detection entry does not hold one detection network.");
        var settings = new DetectionOptions
        {
            FeatureColumnName = stored.FeatureColumn, LabelsColumnName = labels, BoxesColumnName = boxes, PredictedLabelsColumnName = predictedLabels,
            PredictedBoxesColumnName = predictedBoxes, ScoresColumnName = scores, Classes = classes, ClassNames = stored.LabelValues?.Values,
            Architecture = architecture, MinScore = minScore, IouThreshold = iou, MaxDetections = maxDetections,
        };
        return new DetectionTransformer(settings, stored.Scorer, []);
    }

    static ITransformer LoadCnn(IHostEnvironment env, LoadContextView view)
    {
        using var stream = new MemoryStream(view.ReadBinaryStream(NetworkStream));
        return CnnModelFile.Read(stream, "The model file's CNN entry");
    }

    static ITransformer LoadAugment(IHostEnvironment env, LoadContextView view) =>
        new AugmentTransformer(view.Reader.ReadString(), AugmentationPolicy.FromJson(view.Reader.ReadString()));
}
