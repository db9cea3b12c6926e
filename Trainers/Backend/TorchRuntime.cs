using System.Runtime.InteropServices;
using TorchSharp;

namespace MLToolkit.Trainers.Backend;

/// <summary>
/// Process-wide set-up of the TorchSharp backend: allocator tuning, thread count and device choice.
/// </summary>
public static class TorchRuntime
{
    static readonly object Gate = new();

    /// <summary>
    /// Held by every training for its whole run: torch's global generator (weight initialisation,
    /// dropout) and thread count are process-wide, so concurrent <c>Fit</c> calls run one after the other
    /// and each gives what it gives alone.
    /// </summary>
    internal static readonly object TrainingGate = new();
    static bool _initialized;

    /// <summary>The environment variable that, set to <c>off</c>, opts out of <see cref="TuneProcess"/>.</summary>
    public const string TuningVariable = "MLTOOLKIT_PROCESS_TUNING";

    static bool _tuneProcess = !string.Equals(Environment.GetEnvironmentVariable(TuningVariable), "off", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether the toolkit changes two process-wide settings when torch is first used (default true):
    /// glibc's malloc thresholds (mmap 32 MB, trim 1 GB: otherwise glibc hands large freed buffers back
    /// to the OS after every step and faults them in again on the next, about a fifth of CPU training
    /// time) and libtorch's NNPACK switch (off: see <see cref="NnpackEnabled"/>). They affect everything
    /// else in the process too, so an app that tunes its own allocator or uses libtorch itself can opt
    /// out: set this to false before the first training or scoring, or set the environment variable
    /// <c>MLTOOLKIT_PROCESS_TUNING=off</c>. (Where the CPU's caches are hidden, oneDNN is still given cache
    /// sizes, or switched off: that one is a correctness fix, see <see cref="CpuCachesKnown"/>.)
    /// </summary>
    /// <exception cref="InvalidOperationException">Changed after torch was first used: the settings are already made.</exception>
    public static bool TuneProcess
    {
        get => _tuneProcess;
        set
        {
            lock (Gate)
            {
                if (_initialized && value != _tuneProcess)
                    throw new InvalidOperationException(
                        $"TorchRuntime.TuneProcess must be set before the first training or scoring; torch is already set up {(ProcessTuned ? "with" : "without")} the process tuning. " +
                        $"Set it at the start of the app, or set the environment variable {TuningVariable}=off.");
                _tuneProcess = value;
            }
        }
    }

    /// <summary>Whether the malloc and NNPACK settings of <see cref="TuneProcess"/> were applied to this process.</summary>
    public static bool ProcessTuned { get; private set; }

    /// <summary>
    /// Prepares the backend once, before the first tensor: loads the native library, then applies
    /// <see cref="TuneProcess"/> unless opted out, and the oneDNN correctness fix.
    /// </summary>
    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (_initialized) return;
            TorchNativeLibrary.EnsureLoadable();
            torch.InitializeDeviceType(DeviceType.CPU);
            if (OperatingSystem.IsLinux() && _tuneProcess)
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
                ProcessTuned = true;
            }
            if (!CpuCachesKnown() && !OneDnnCacheSizes.TryRepair()) SetMkldnn(false);
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
            NativeMethods.SetUserEnabledNnpack(NativeMethods.GlobalContext(), false);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    /// <summary>Whether libtorch may use NNPACK for convolutions (false once the process is tuned); null where the switch cannot be read.</summary>
    public static bool? NnpackEnabled
    {
        get
        {
            EnsureInitialized();
            try { return NativeMethods.UserEnabledNnpack(NativeMethods.GlobalContext()); }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
        }
    }

    /// <summary>
    /// Whether the kernel found the CPU's cache hierarchy (from CPUID, as oneDNN does). Some virtual
    /// machines hide it (no <c>/sys/devices/system/cpu/cpu0/cache</c>); there libtorch
    /// 2.10's oneDNN reads three caches of one byte each and sizes its convolution blocking from them: multi-threaded convolution
    /// backward passes then return NaN gradients at random (DenseNet-BC, any 1-channel first layer) or
    /// kill the process with SIGFPE (ResNet-50 bottlenecks on small inputs). Seen on a 2-core AMD EPYC
    /// (family 26) VM; one thread, or libtorch's own convolutions, are correct there. There the toolkit
    /// gives oneDNN believable cache sizes (<see cref="OneDnnCacheSizesSupplied"/>), or, where it cannot,
    /// switches oneDNN off.
    /// </summary>
    public static bool CpuCachesKnown() =>
        !OperatingSystem.IsLinux() || File.Exists("/sys/devices/system/cpu/cpu0/cache/index0/size");

    /// <summary>
    /// Whether oneDNN (MKL-DNN) does libtorch's CPU convolutions; off only where <see cref="CpuCachesKnown"/> is
    /// false and the cache sizes could not be supplied.
    /// </summary>
    public static bool MkldnnEnabled { get; private set; } = true;

    /// <summary>
    /// Whether this process runs oneDNN on cache sizes the toolkit supplied because the machine hides its own
    /// (see <see cref="CpuCachesKnown"/>): the L1 and L2 sizes from AMD's older CPUID leaves, 1 MB of L3 per core.
    /// Training on such a VM ran twice as fast as with oneDNN off, and the zoo's forward, backward and training
    /// tests, which crashed with oneDNN on its one-byte caches, pass.
    /// </summary>
    public static bool OneDnnCacheSizesSupplied => OneDnnCacheSizes.Written is not null;

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

        [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv")]
        [return: MarshalAs(UnmanagedType.U1)]
        public static extern bool UserEnabledNnpack(IntPtr context);

        [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
        public static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
    }
}
