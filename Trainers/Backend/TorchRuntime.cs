using System.Runtime.InteropServices;
using TorchSharp;

namespace MLToolkit.Trainers.Backend;

/// <summary>
/// Process-wide set-up of the TorchSharp backend: allocator tuning, thread count and device choice.
/// </summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static bool _initialized;

    /// <summary>
    /// Prepares the native allocator once, before the first tensor. glibc otherwise returns large
    /// freed buffers to the OS after every step and faults them back in on the next one, which
    /// costs about a fifth of training time on CPU.
    /// </summary>
    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (_initialized) return;
            TorchNativeLibrary.EnsureLoadable();
            if (OperatingSystem.IsLinux())
            {
                try
                {
                    NativeMethods.mallopt(NativeMethods.M_MMAP_THRESHOLD, 32 * 1024 * 1024);
                    NativeMethods.mallopt(NativeMethods.M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
                }
                catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
                {
                    // Not glibc (e.g. musl): the default allocator settings are fine, only slower.
                }
                DisableNnpack();
                if (!CpuCachesKnown()) SetMkldnn(false);
            }
            _initialized = true;
        }
    }

    /// <summary>
    /// libtorch probes NNPACK before every small-batch convolution; on CPUs it does not support
    /// (AVX-512 servers among them) each probe fails and prints a warning, thousands per
    /// evaluation. oneDNN does the work anyway, so NNPACK is switched off. TorchSharp has no binding
    /// for the switch, so the C++ symbols are called directly; where they are missing, nothing changes.
    /// </summary>
    static void DisableNnpack()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            NativeMethods.SetUserEnabledNnpack(NativeMethods.GlobalContext(), false);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    /// <summary>
    /// Whether the kernel found the CPU's cache hierarchy (from CPUID, as oneDNN does). Some virtual
    /// machines hide it (no <c>/sys/devices/system/cpu/cpu0/cache</c>); there libtorch
    /// 2.10's oneDNN sizes its convolution blocking from a cache of 0 bytes: multi-threaded convolution
    /// backward passes then return NaN gradients at random (DenseNet-BC, any 1-channel first layer) or
    /// kill the process with SIGFPE (ResNet-50 bottlenecks on small inputs). Seen on a 2-core AMD EPYC
    /// (family 26) VM; one thread, or libtorch's own convolutions, are correct there.
    /// </summary>
    public static bool CpuCachesKnown() =>
        !OperatingSystem.IsLinux() || File.Exists("/sys/devices/system/cpu/cpu0/cache/index0/size");

    /// <summary>Whether oneDNN (MKL-DNN) does libtorch's CPU convolutions; off where <see cref="CpuCachesKnown"/> is false.</summary>
    public static bool MkldnnEnabled { get; private set; } = true;

    static void SetMkldnn(bool enabled)
    {
        try
        {
            NativeMethods.SetUserEnabledMkldnn(NativeMethods.GlobalContext(), enabled);
            MkldnnEnabled = enabled;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    /// <summary>Sets the number of CPU threads torch uses for one operation.</summary>
    public static void SetThreads(int threads)
    {
        EnsureInitialized();
        if (torch.get_num_threads() != threads)
            torch.set_num_threads(threads);
    }

    /// <summary>
    /// Resolves a device name (<c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a device.</exception>
    /// <exception cref="InvalidOperationException">CUDA was asked for but is not available.</exception>
    public static torch.Device ResolveDevice(string name)
    {
        EnsureInitialized();
        var normalized = (name ?? "").Trim().ToLowerInvariant();
        if (normalized == "cpu") return torch.CPU;
        if (normalized == "cuda" || normalized.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new InvalidOperationException(
                    $"Device '{name}' was requested but CUDA is not available: this build uses the CPU libtorch " +
                    "(TorchSharp-cpu) or no CUDA GPU is present. Use Device = \"cpu\", or reference a libtorch-cuda package on a machine with a GPU.");
            return new torch.Device(normalized);
        }
        throw new ArgumentException($"Device '{name}' is not known; use \"cpu\", \"cuda\" or \"cuda:N\".", nameof(name));
    }

    static class NativeMethods
    {
        public const int M_TRIM_THRESHOLD = -1;
        public const int M_MMAP_THRESHOLD = -3;

        [DllImport("libc", EntryPoint = "mallopt")]
        public static extern int mallopt(int param, int value);

        // at::globalContext() and at::Context::setUserEnabledNNPACK(bool) (Itanium C++ ABI).
        [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
        public static extern IntPtr GlobalContext();

        [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
        public static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

        [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
        public static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
    }
}
