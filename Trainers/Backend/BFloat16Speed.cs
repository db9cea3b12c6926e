using System.Runtime.Intrinsics.X86;

namespace MLToolkit.Trainers.Backend;

/// <summary>
/// Whether this machine computes bfloat16 fast enough for mixed-precision training (<see cref="CnnOptions.MixedPrecision"/>)
/// to pay. On the CPU it does only where the processor has bfloat16 instructions (AVX-512 BF16 or AMX-BF16) and
/// oneDNN does libtorch's convolutions: elsewhere libtorch emulates bfloat16 or takes its own convolution kernels,
/// and a training epoch of the recipe network took 397 s in bfloat16 against 17 s (measured on an AVX-512 BF16 CPU
/// with oneDNN off, see BENCHMARKS.md). CUDA devices are taken to compute it (Ampere and later GPUs do so natively).
/// </summary>
public static class BFloat16Speed
{
    /// <summary>Whether mixed precision trains faster than float32 on <paramref name="device"/> (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>).</summary>
    public static bool IsFast(string device) => SlowReason(device) is null;

    /// <summary>
    /// Why bfloat16 is slow on <paramref name="device"/>, in words for a log line; null where it is fast.
    /// </summary>
    public static string? SlowReason(string device)
    {
        if (!string.Equals((device ?? "").Trim(), "cpu", StringComparison.OrdinalIgnoreCase)) return null;
        if (!CpuHasBFloat16Instructions())
            return "this CPU has no bfloat16 instructions (AVX-512 BF16 or AMX-BF16), so libtorch would emulate them";
        TorchRuntime.EnsureInitialized();
        if (!TorchRuntime.MkldnnEnabled)
            return "oneDNN is off on this machine (its CPU caches are hidden and could not be supplied, see TorchRuntime.CpuCachesKnown), " +
                "and libtorch's own bfloat16 convolutions are many times slower than float32";
        return null;
    }

    /// <summary>AVX-512 BF16 (CPUID leaf 7, sub-leaf 1, EAX bit 5) with AVX-512 enabled by the OS, or AMX-BF16 (leaf 7, EDX bit 22).</summary>
    static bool CpuHasBFloat16Instructions()
    {
        if (!X86Base.IsSupported) return false;
        var (maxLeaf, _, _, _) = X86Base.CpuId(0, 0);
        if (maxLeaf < 7) return false;
        var (maxSubLeaf, _, _, edx) = X86Base.CpuId(7, 0);
        int eax = maxSubLeaf >= 1 ? X86Base.CpuId(7, 1).Eax : 0;
        bool avx512Bf16 = Avx512F.IsSupported && (eax & (1 << 5)) != 0;
        bool amxBf16 = (edx & (1 << 22)) != 0;
        return avx512Bf16 || amxBf16;
    }
}
