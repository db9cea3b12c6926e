using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace MLToolkit.Trainers.Backend;

/// <summary>
/// Gives oneDNN usable CPU cache sizes on virtual machines that hide them, so that it can do libtorch's
/// convolutions there instead of being switched off.
/// </summary>
/// <remarks>
/// oneDNN reads the cache hierarchy once, through Xbyak's <c>Cpu</c> object (<c>dnnl::impl::cpu::x64::cpu()</c>).
/// On an AMD CPU it takes three cache levels from CPUID leaf 0x8000001D; a hypervisor that zeroes that leaf
/// (no TOPOEXT, as on the 2-core EPYC VMs here) leaves it with three caches of <b>one byte</b> each. Its convolution
/// blocking, sized from those, then divides by zero (SIGFPE) or leaves gradients unwritten (NaN).
/// The fix writes believable sizes into that object before the first convolution: the L1 data and L2 sizes the
/// CPU still reports through AMD's older leaves 0x80000005/6, and oneDNN's own guess for a core's share of L3
/// (1 MB, what it assumes on CPUs that report no caches at all). The object is found through libtorch_cpu's
/// symbol table (the library ships unstripped) and changed only when it holds exactly the one-byte pattern of this
/// failure and has the size of the layout the offsets below were read from (libtorch 2.10's oneDNN); anywhere else
/// nothing is written and the caller keeps oneDNN off.
/// </remarks>
static class OneDnnCacheSizes
{
    internal const string CpuObjectSymbol = "_ZZN4dnnl4impl3cpu3x643cpuEvE4cpu_";   // static Xbyak::util::Cpu cpu_ inside cpu()
    internal const string CpuFunctionSymbol = "_ZN4dnnl4impl3cpu3x643cpuEv";         // const Xbyak::util::Cpu &cpu()
    internal const int CpuObjectSize = 0x90;
    // Field offsets in that Xbyak version's Cpu: uint32 dataCacheSize_[10], coresSharingDataCache_[10], dataCacheLevels_.
    const int DataCacheSizeOffset = 0x1c;
    const int CoresSharingOffset = 0x44;
    const int DataCacheLevelsOffset = 0x6c;
    const int Levels = 3;

    const uint GuessL1 = 32 * 1024, GuessL2 = 512 * 1024, GuessL3PerCore = 1024 * 1024;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate IntPtr CpuGetter();

    /// <summary>The sizes written (L1 data, L2, L3 per core, in bytes), or null when nothing was written.</summary>
    public static (uint L1, uint L2, uint L3)? Written { get; private set; }

    /// <summary>
    /// Writes cache sizes into oneDNN where it read one-byte caches; true when oneDNN can now be used.
    /// Call once, after libtorch is loaded and before the first convolution.
    /// </summary>
    public static bool TryRepair()
    {
        try
        {
            if (!OperatingSystem.IsLinux() || !X86Base.IsSupported) return false;
            var library = LoadedLibrary("libtorch_cpu.so");
            if (library is null) return false;
            var symbols = ElfSymbols.Find(library.Value.Path, CpuObjectSymbol, CpuFunctionSymbol);
            if (!symbols.TryGetValue(CpuObjectSymbol, out var cpuObject) || cpuObject.Size != CpuObjectSize ||
                !symbols.TryGetValue(CpuFunctionSymbol, out var cpuFunction))
                return false;

            // Calling cpu() constructs the object first if nothing has yet (a function-local static).
            var getter = Marshal.GetDelegateForFunctionPointer<CpuGetter>((IntPtr)(library.Value.Base + (long)cpuFunction.Value));
            IntPtr cpu = getter();
            if (cpu != (IntPtr)(library.Value.Base + (long)cpuObject.Value)) return false;
            if (!HoldsOneByteCaches(cpu)) return false;

            var (l1, l2) = LegacyAmdCacheSizes();
            var sizes = new[] { l1 ?? GuessL1, l2 ?? GuessL2, GuessL3PerCore };
            for (int level = 0; level < Levels; level++)
            {
                Marshal.WriteInt32(cpu, DataCacheSizeOffset + 4 * level, (int)sizes[level]);
                Marshal.WriteInt32(cpu, CoresSharingOffset + 4 * level, 1);
            }
            Written = (sizes[0], sizes[1], sizes[2]);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or
                                      ArgumentException or MarshalDirectiveException)
        {
            return false;
        }
    }

    static bool HoldsOneByteCaches(IntPtr cpu)
    {
        if (Marshal.ReadInt32(cpu, DataCacheLevelsOffset) != Levels) return false;
        for (int level = 0; level < Levels; level++)
            if (Marshal.ReadInt32(cpu, DataCacheSizeOffset + 4 * level) != 1 || Marshal.ReadInt32(cpu, CoresSharingOffset + 4 * level) != 1)
                return false;
        return true;
    }

    /// <summary>L1 data (leaf 0x80000005, ECX[31:24] in KB) and L2 (leaf 0x80000006, ECX[31:16] in KB); null where not reported.</summary>
    static (uint? L1, uint? L2) LegacyAmdCacheSizes()
    {
        var (maxExtended, _, _, _) = X86Base.CpuId(unchecked((int)0x80000000), 0);
        uint? l1 = null, l2 = null;
        if ((uint)maxExtended >= 0x80000005)
        {
            uint kb = (uint)X86Base.CpuId(unchecked((int)0x80000005), 0).Ecx >> 24;
            if (kb is >= 8 and <= 1024) l1 = kb * 1024;
        }
        if ((uint)maxExtended >= 0x80000006)
        {
            uint kb = (uint)X86Base.CpuId(unchecked((int)0x80000006), 0).Ecx >> 16;
            if (kb is >= 128 and <= 16384) l2 = kb * 1024;
        }
        return (l1, l2);
    }

    /// <summary>Path and load address of a shared library mapped into this process (from /proc/self/maps).</summary>
    internal static (string Path, long Base)? LoadedLibrary(string fileName)
    {
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            // address-range perms offset dev inode path
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || !fields[5].EndsWith("/" + fileName, StringComparison.Ordinal)) continue;
            if (Convert.ToInt64(fields[2], 16) != 0) continue;
            long start = Convert.ToInt64(fields[0][..fields[0].IndexOf('-')], 16);
            return (fields[5].Trim(), start);
        }
        return null;
    }
}
