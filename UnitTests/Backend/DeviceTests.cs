using Microsoft.ML;
using TorchSharp;

namespace MLToolkit.UnitTests.Backend;

/// <summary>The device flows through training, scoring and loading; a model moves between devices.</summary>
public class DeviceTests
{
    static (ITransformer Model, IDataView Test, string Path) TrainAndSave(MLContext ml, string device)
    {
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Epochs = 1, Device = device }))
            .Fit(TestData.Train(ml, 300));
        var path = Path.Combine(TestData.TempDirectory(), "model.zip");
        ml.Model.Save(model, null, path);
        return (model, TestData.Test(ml, 50), path);
    }

    static float[] Scores(MLContext ml, ITransformer model, IDataView data) =>
        ml.Data.CreateEnumerable<Scored>(model.Transform(data), reuseRowObject: false).SelectMany(r => r.Score).ToArray();

    sealed class Scored { public float[] Score { get; set; } = []; }

    [Fact]
    public void A_model_loaded_for_the_cpu_scores_as_trained()
    {
        var ml = new MLContext(seed: 1);
        var (model, test, path) = TrainAndSave(ml, "cpu");
        var loaded = new MLContext().LoadModel(path, "cpu", out _);
        Assert.Equal(Scores(ml, model, test), Scores(ml, loaded, test));
    }

    [SkippableFact]
    public void Loading_for_cuda_without_a_gpu_fails_before_reading_the_file()
    {
        Skip.If(torch.cuda.is_available(), "a CUDA GPU is present");
        // The path does not exist: the device is checked first, so the message is about CUDA.
        var error = Assert.Throws<InvalidOperationException>(() => new MLContext().LoadModel("/nonexistent/model.zip", "cuda", out _));
        Assert.Contains("CUDA is not available", error.Message);
    }

    [SkippableFact]
    public void A_model_trained_on_the_gpu_loads_and_scores_on_the_cpu_and_back()
    {
        Skip.IfNot(torch.cuda.is_available(), "no CUDA GPU on this machine (the CPU libtorch, or no GPU)");
        var ml = new MLContext(seed: 1);
        var (model, test, path) = TrainAndSave(ml, "cuda");
        var onGpu = Scores(ml, model, test);
        var onCpu = Scores(ml, new MLContext().LoadModel(path, "cpu", out _), test);
        var backOnGpu = Scores(ml, new MLContext().LoadModel(path, "cuda", out _), test);
        Assert.Equal(onGpu.Length, onCpu.Length);
        for (int i = 0; i < onGpu.Length; i++)
        {
            Assert.InRange(onCpu[i], onGpu[i] - 1e-4f, onGpu[i] + 1e-4f);
            Assert.InRange(backOnGpu[i], onGpu[i] - 1e-4f, onGpu[i] + 1e-4f);
        }
    }
}
