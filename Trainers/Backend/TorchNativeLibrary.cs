using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace MLToolkit.Trainers.Backend;

/// <summary>
/// Makes TorchSharp's native wrapper (<c>libLibTorchSharp</c>) loadable from any entry point: an app
/// outside this repository, a notebook kernel, a file-based app, or an app built on another machine.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's wrapper asks for <c>GLIBCXX_3.4.32</c> (GCC 13's libstdc++) for one symbol it
/// never calls; Debian 12 and Ubuntu 22.04 ship GCC 12's, so the wrapper fails to load there and
/// TorchSharp reports a misleading "doesn't contain a reference to libtorch-cpu-linux-x64". Where the
/// running system lacks that version, this writes a copy with that one requirement marked weak into a
/// per-user cache (<c>$XDG_CACHE_HOME/mltoolkit/libtorchsharp/&lt;hash&gt;/</c>, else <c>~/.cache/…</c>),
/// loads libtorch from where the app or its packages keep it, then loads the copy. Later lookups of
/// <c>LibTorchSharp</c> by name (TorchSharp's own) find the loaded copy by its soname. The NuGet cache
/// and the app folder are never written. Runs once, when the toolkit's assembly is first used.
/// </remarks>
public static class TorchNativeLibrary
{
    const string WrapperFile = "libLibTorchSharp.so";
    const string Version = "GLIBCXX_3.4.32";
    static readonly object Gate = new();
    static bool _done;
    static Exception? _failure;

    /// <summary>
    /// The patched copy this process loaded, or null when the wrapper loads as it is (the system has
    /// the C++ runtime it asks for, or the app's copy was already patched at build time).
    /// </summary>
    public static string? PatchedCopy { get; private set; }

    /// <summary>The folder under which patched copies are kept (one subfolder per original's SHA-256).</summary>
    public static string CacheFolder
    {
        get
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "mltoolkit", "libtorchsharp");
        }
    }

#pragma warning disable CA2255 // A library module initializer, on purpose: the fix must precede any use of torch, wherever the app starts.
    [ModuleInitializer]
    internal static void OnModuleLoad()
    {
        // Never throw from here (a type initializer failure would hide the reason); EnsureLoadable reports it.
        try { EnsureLoadable(); }
        catch (InvalidOperationException) { }
    }
#pragma warning restore CA2255

    /// <summary>
    /// Makes the native wrapper loadable (once per process) and checks that it loads. Call it before
    /// touching <c>torch</c> directly when no other toolkit type has been used yet.
    /// </summary>
    /// <exception cref="InvalidOperationException">The wrapper cannot be loaded; the message says why and what to do.</exception>
    public static void EnsureLoadable()
    {
        lock (Gate)
        {
            if (!_done)
            {
                try { Prepare(); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or DllNotFoundException or BadImageFormatException)
                {
                    _failure = new InvalidOperationException($"TorchSharp's native library could not be prepared: {e.Message}", e);
                }
                catch (InvalidOperationException e)
                {
                    _failure = e;
                }
                _done = true;
            }
            if (_failure is not null) throw _failure;
        }
    }

    static void Prepare()
    {
        if (OperatingSystem.IsLinux()) PrepareLinux();
        if (NativeLibrary.TryLoad("LibTorchSharp", typeof(torch).Assembly, null, out _)) return;

        if (OperatingSystem.IsWindows())
            throw new InvalidOperationException(
                "TorchSharp 0.107's LibTorchSharp.dll does not load on Windows x64 with libtorch 2.10 (upstream issue dotnet/TorchSharp#1567). " +
                "Train on Linux (or WSL), and serve on Windows from an ONNX export of the model with ONNX Runtime.");
        throw new InvalidOperationException(
            $"TorchSharp's native library LibTorchSharp was not found next to the app or in the TorchSharp package. " +
            "Reference the TorchSharp-cpu package (or TorchSharp plus a libtorch-cpu-* or libtorch-cuda-* package for this OS).");
    }

    static void PrepareLinux()
    {
        var original = FindWrapper();
        if (original is null) return; // Prepare's check reports the missing package.
        var libStdCxx = GlibcxxVersionNeeds.SystemLibStdCxx();
        if (libStdCxx is null || GlibcxxVersionNeeds.Provides(libStdCxx, Version)) return;
        var elf = File.ReadAllBytes(original);
        if (!GlibcxxVersionNeeds.RequiresStrongly(elf, Version)) return; // already patched (by the build) or another TorchSharp

        var copy = PatchedCopyOf(elf);
        var libtorch = FindLibTorch(Path.GetDirectoryName(original)!)
            ?? throw new InvalidOperationException(
                $"libtorch.so was not found beside {original} nor in the NuGet packages folder: reference TorchSharp-cpu (or libtorch-cpu-linux-x64, or a libtorch-cuda-*-linux-x64 package).");
        // libtorch first, by path: the copy's own folder does not hold it, and its needs (libtorch.so,
        // libc10.so, libtorch_cpu.so) are then matched by soname among the loaded libraries.
        Load(libtorch, "libtorch");
        Load(copy, "the patched copy of " + WrapperFile);
        PatchedCopy = copy;
    }

    static void Load(string path, string what)
    {
        try
        {
            NativeLibrary.Load(path);
        }
        catch (DllNotFoundException e)
        {
            var symbolVersion = e.Message.Contains("GLIBCXX_", StringComparison.Ordinal) || e.Message.Contains("GLIBC_", StringComparison.Ordinal)
                ? " The system's C++ runtime (libstdc++) or C library is older than this libtorch needs: install a newer libstdc++6 (GCC 12 or later) or use a newer distribution."
                : "";
            throw new InvalidOperationException($"Could not load {what} ({path}): {e.Message}.{symbolVersion}", e);
        }
    }

    /// <summary>The weakened copy of the wrapper in the per-user cache, written once per original (by SHA-256).</summary>
    static string PatchedCopyOf(byte[] elf)
    {
        var hash = Convert.ToHexString(SHA256.HashData(elf))[..16].ToLowerInvariant();
        var folder = Path.Combine(CacheFolder, hash);
        var copy = Path.Combine(folder, WrapperFile);
        if (File.Exists(copy)) return copy;

        Directory.CreateDirectory(folder);
        var patched = (byte[])elf.Clone();
        GlibcxxVersionNeeds.MarkWeak(patched, Version);
        // A private temporary name, then an atomic rename: two processes starting at once each write
        // their own file and the second rename replaces identical bytes; nobody reads a half-written copy.
        var temporary = Path.Combine(folder, $".{WrapperFile}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temporary, patched);
        File.Move(temporary, copy, overwrite: true);
        return copy;
    }

    /// <summary>Where .NET would look for the wrapper: the app's native search folders, then the TorchSharp package.</summary>
    static string? FindWrapper() => SearchFolders().Select(f => Path.Combine(f, WrapperFile)).FirstOrDefault(File.Exists);

    static IEnumerable<string> SearchFolders()
    {
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string list)
            foreach (var folder in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                yield return folder;
        var torchSharp = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (string.IsNullOrEmpty(torchSharp)) yield break;
        yield return torchSharp;
        yield return Path.Combine(torchSharp, "runtimes", RuntimeId, "native");
        // Loaded from the NuGet cache (a notebook kernel, a file-based app): <package>/lib/<tfm>/TorchSharp.dll.
        yield return Path.Combine(torchSharp, "..", "..", "runtimes", RuntimeId, "native");
    }

    static string? FindLibTorch(string wrapperFolder)
    {
        var beside = Path.Combine(wrapperFolder, "libtorch.so");
        if (File.Exists(beside)) return beside;
        var searched = SearchFolders().Select(f => Path.Combine(f, "libtorch.so")).FirstOrDefault(File.Exists);
        if (searched is not null) return searched;
        // The libtorch packages sit beside TorchSharp's in the NuGet cache; TorchSharp 0.107 needs libtorch 2.10.
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        if (!Directory.Exists(packages)) return null;
        return Directory.EnumerateDirectories(packages, $"libtorch-*-{RuntimeId}")
            .SelectMany(Directory.EnumerateDirectories)
            .Where(v => Path.GetFileName(v).StartsWith("2.10.", StringComparison.Ordinal))
            .OrderByDescending(v => v.Contains("libtorch-cpu-", StringComparison.Ordinal)) // the one TorchSharp-cpu brings, first
            .Select(v => Path.Combine(v, "runtimes", RuntimeId, "native", "libtorch.so"))
            .FirstOrDefault(File.Exists);
    }

    static string RuntimeId => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
}
