using Microsoft.ML;
using MLToolkit.Trainers.Backend;
using MLToolkit.Trainers.Persistence;

namespace MLToolkit;

/// <summary>Registration and loading of model files that contain MLToolkit transformers.</summary>
public static class ModelFileExtensions
{
    /// <summary>
    /// Lets <paramref name="ml"/>'s <c>ml.Model.Load</c> read MLToolkit transformers: the one line
    /// that ML.NET needs for components outside its own assemblies. Idempotent.
    /// </summary>
    public static MLContext RegisterMLToolkit(this MLContext ml)
    {
        ToolkitPersistence.Register(ml);
        return ml;
    }

    /// <summary>
    /// Registers MLToolkit and loads the model file at <paramref name="path"/>, turning ML.NET's nested
    /// exceptions for a damaged file into one that names the file and the problem.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt or not a model.</exception>
    public static ITransformer LoadModel(this MLContext ml, string path, out DataViewSchema inputSchema) =>
        ml.LoadModel(path, "cpu", out inputSchema);

    /// <summary>
    /// As <see cref="LoadModel(MLContext, string, out DataViewSchema)"/>, with the networks placed on
    /// <paramref name="device"/> (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>) to score there. A model
    /// trained on one device loads on any other.
    /// </summary>
    /// <exception cref="InvalidOperationException">CUDA was asked for but is not available (checked before reading the file).</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt or not a model.</exception>
    public static ITransformer LoadModel(this MLContext ml, string path, string device, out DataViewSchema inputSchema)
    {
        TorchRuntime.ResolveDevice(device);
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file not found: '{path}'.", path);
        ml.RegisterMLToolkit();
        var previous = CnnModelFile.LoadingDevice;
        CnnModelFile.LoadingDevice = device;
        try
        {
            return ml.Model.Load(path, out inputSchema);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or System.Reflection.TargetInvocationException or InvalidDataException or KeyNotFoundException)
        {
            var root = e;
            while (root.InnerException is not null) root = root.InnerException;
            // Only a damaged file is called damaged; an unknown architecture or a registration clash says what it is.
            throw root is InvalidDataException or EndOfStreamException or FormatException
                ? new InvalidDataException($"Model file '{path}' cannot be loaded: it is truncated, corrupt or not an ML.NET model ({root.Message}).", e)
                : new InvalidDataException($"Model file '{path}' cannot be loaded: {root.Message}", e);
        }
        finally
        {
            CnnModelFile.LoadingDevice = previous;
        }
    }
}
