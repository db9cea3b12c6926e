using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLToolkit.Trainers.Augmentation;
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

    const string NetworkStream = "Network";

    static ToolkitPersistence()
    {
        ModelPersistence.RegisterLoader(CnnFormat, LoadCnn);
        ModelPersistence.RegisterLoader(AugmentFormat, LoadAugment);
        ModelPersistence.RegisterLoader(SegmentationFormat, LoadSegmentation);
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

    static ITransformer LoadCnn(IHostEnvironment env, LoadContextView view)
    {
        using var stream = new MemoryStream(view.ReadBinaryStream(NetworkStream));
        return CnnModelFile.Read(stream, "The model file's CNN entry");
    }

    static ITransformer LoadAugment(IHostEnvironment env, LoadContextView view) =>
        new AugmentTransformer(view.Reader.ReadString(), AugmentationPolicy.FromJson(view.Reader.ReadString()));
}
