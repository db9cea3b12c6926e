using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLToolkit.Trainers.Augmentation;
using MLToolkit.Trainers.Estimators;

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

    const string NetworkStream = "Network";

    static ToolkitPersistence()
    {
        ModelPersistence.RegisterLoader(CnnFormat, LoadCnn);
        ModelPersistence.RegisterLoader(AugmentFormat, LoadAugment);
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

    static ITransformer LoadCnn(IHostEnvironment env, LoadContextView view)
    {
        using var stream = new MemoryStream(view.ReadBinaryStream(NetworkStream));
        return CnnModelFile.Read(stream, "The model file's CNN entry");
    }

    static ITransformer LoadAugment(IHostEnvironment env, LoadContextView view) =>
        new AugmentTransformer(view.Reader.ReadString(), AugmentationPolicy.FromJson(view.Reader.ReadString()));
}
