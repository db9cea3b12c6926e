using MLToolkit.Trainers.Backend;

namespace MLToolkit.UnitTests.Backend;

/// <summary>
/// oneDNN on machines that hide their CPU caches (see <see cref="TorchRuntime.CpuCachesKnown"/>). The behaviour
/// itself — convolutions that neither crash nor give NaN gradients there — is what the zoo's forward/backward and
/// training tests exercise: with oneDNN on its one-byte caches, <c>ZooForwardBackwardTests</c> killed the test host
/// at DenseNet-BC.
/// </summary>
public class OneDnnCacheSizesTests
{
    [SkippableFact]
    public void Where_the_machine_hides_its_caches_oneDNN_runs_on_supplied_sizes()
    {
        Skip.If(TorchRuntime.CpuCachesKnown(), "this machine shows its CPU caches: oneDNN reads them itself");
        TorchRuntime.EnsureInitialized();
        Assert.True(TorchRuntime.OneDnnCacheSizesSupplied, "oneDNN's one-byte cache sizes were not replaced");
        Assert.True(TorchRuntime.MkldnnEnabled);
        var (l1, l2, l3) = OneDnnCacheSizes.Written!.Value;
        Assert.InRange(l1, 8u * 1024, 1024u * 1024);
        Assert.InRange(l2, 128u * 1024, 16u * 1024 * 1024);
        Assert.Equal(1024u * 1024, l3);
    }

    /// <summary>
    /// The repair finds oneDNN's CPU object in the libtorch this project ships, with the size of the layout its
    /// offsets were read from: a libtorch update that moves or reshapes it fails here rather than quietly leaving
    /// oneDNN off on such machines.
    /// </summary>
    [SkippableFact]
    public void The_shipped_libtorch_has_the_cpu_object_the_repair_writes_to()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && System.Runtime.Intrinsics.X86.X86Base.IsSupported, "the repair is for x64 Linux");
        TorchRuntime.EnsureInitialized();
        var library = OneDnnCacheSizes.LoadedLibrary("libtorch_cpu.so");
        Assert.NotNull(library);
        var symbols = ElfSymbols.Find(library.Value.Path, OneDnnCacheSizes.CpuObjectSymbol, OneDnnCacheSizes.CpuFunctionSymbol);
        Assert.Equal((ulong)OneDnnCacheSizes.CpuObjectSize, symbols[OneDnnCacheSizes.CpuObjectSymbol].Size);
        Assert.NotEqual(0ul, symbols[OneDnnCacheSizes.CpuFunctionSymbol].Value);
    }
}
