using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLToolkit.Trainers.Estimators;

namespace MLToolkit.Trainers.Persistence;

/// <summary>
/// Saving and loading of <see cref="CnnTransformer"/> inside ordinary ML.NET model files: the
/// network travels as one verified binary entry of the zip that <c>ml.Model.Save</c> writes.
/// </summary>
public static class CnnModelPersistence
{
    /// <summary>The on-disk identity of a CNN transformer inside an ML.NET model file.</summary>
    static readonly PersistenceFormat Format = new("MLToolkitCnnTransformer", "MLTKCNN1", version: 1);

    const string NetworkStream = "Network";

    static CnnModelPersistence() => ModelPersistence.RegisterLoader(Format, Load);

    /// <summary>
    /// Lets <paramref name="ml"/> load models that contain MLToolkit CNNs. Call it once before
    /// <c>ml.Model.Load</c>; calling it again, or on several contexts, is harmless.
    /// </summary>
    public static void Register(MLContext ml) => ModelPersistence.Register(ml);

    internal static void Save(ModelSaveContext ctx, CnnTransformer model) =>
        ModelPersistence.Save(ctx, Format, writeHeader: _ => { }, new Dictionary<string, Action<BinaryWriter>>
        {
            [NetworkStream] = writer => CnnModelFile.Write(writer.BaseStream, model),
        });

    static ITransformer Load(IHostEnvironment env, LoadContextView view)
    {
        using var stream = new MemoryStream(view.ReadBinaryStream(NetworkStream));
        return CnnModelFile.Read(stream, "The model file's CNN entry");
    }
}
