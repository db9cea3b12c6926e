using MLToolkit.Trainers.Backend;
using TorchSharp;

namespace MLToolkit.UnitTests.Backend;

public class TorchRuntimeTests
{
    [Fact]
    public void Torch_loads_and_computes()
    {
        TorchRuntime.EnsureInitialized();
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var b = torch.ones(3, 2);
        using var product = a.matmul(b);
        Assert.Equal(new float[] { 3, 3, 12, 12 }, product.data<float>().ToArray());
    }

    [SkippableFact]
    public void Cuda_request_fails_clearly_without_cuda()
    {
        Skip.If(torch.cuda.is_available(), "a CUDA GPU is present: the message is about a missing one");
        var error = Assert.Throws<InvalidOperationException>(() => TorchRuntime.ResolveDevice("cuda"));
        Assert.Contains("CUDA is not available", error.Message);
    }

    [Fact]
    public void Unknown_device_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => TorchRuntime.ResolveDevice("tpu"));
        Assert.Contains("'tpu'", error.Message);
    }

    [Fact]
    public void Process_tuning_is_applied_by_default_and_cannot_be_changed_once_torch_is_set_up()
    {
        TorchRuntime.EnsureInitialized();
        Assert.Equal(OperatingSystem.IsLinux(), TorchRuntime.ProcessTuned);
        if (OperatingSystem.IsLinux()) Assert.False(TorchRuntime.NnpackEnabled);
        TorchRuntime.TuneProcess = true; // the same value: nothing to change
        var error = Assert.Throws<InvalidOperationException>(() => TorchRuntime.TuneProcess = false);
        Assert.Contains("MLTOOLKIT_PROCESS_TUNING=off", error.Message);
        Assert.True(TorchRuntime.TuneProcess);
    }
}
