// One file, two users: MSBuild compiles it as the MarkGlibcxxVersionWeak build task (see
// LibTorchSharpCompat.targets), and MLToolkit.Trainers compiles only GlibcxxVersionNeeds (with
// MLTOOLKIT_RUNTIME defined) to make the same change at run time, on the machine that runs.
using System;
using System.IO;
using System.Text;
#if !MLTOOLKIT_RUNTIME
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks one GLIBCXX version requirement of every libLibTorchSharp.so under a folder as weak,
/// where the system libstdc++ does not provide that version. See LibTorchSharpCompat.targets.
/// </summary>
public class MarkGlibcxxVersionWeak : Task
{
    /// <summary>The folder searched (recursively) for libLibTorchSharp.so.</summary>
    [Required] public string Directory { get; set; } = "";

    /// <summary>The version requirement to weaken, e.g. GLIBCXX_3.4.32.</summary>
    [Required] public string Version { get; set; } = "";

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        var libraries = System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        if (libraries.Length == 0) return true;

        var systemLib = GlibcxxVersionNeeds.SystemLibStdCxx();
        if (systemLib == null)
        {
            Log.LogMessage(MessageImportance.Normal, "No system libstdc++ found; libLibTorchSharp.so left as it is.");
            return true;
        }
        if (GlibcxxVersionNeeds.Provides(systemLib, Version))
        {
            Log.LogMessage(MessageImportance.Low, $"{systemLib} provides {Version}; nothing to patch.");
            return true;
        }

        foreach (var library in libraries)
        {
            try
            {
                var elf = File.ReadAllBytes(library);
                if (!GlibcxxVersionNeeds.MarkWeak(elf, Version))
                {
                    Log.LogMessage(MessageImportance.Low, $"{library}: no strong requirement of {Version}.");
                    continue;
                }
                // Write a new file and move it over: the output copy may be a hard link into the NuGet cache.
                var temporary = library + ".patching";
                File.WriteAllBytes(temporary, elf);
                File.Delete(library);
                File.Move(temporary, library);
                Log.LogMessage(MessageImportance.High, $"Marked {Version} weak in {library} (system libstdc++ lacks it).");
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is ArgumentOutOfRangeException)
            {
                Log.LogError($"Could not mark {Version} weak in {library}: {e.Message}");
                return false;
            }
        }
        return true;
    }
}
#endif

/// <summary>
/// Reads and changes the symbol-version requirements (<c>.gnu.version_r</c>) of a 64-bit ELF shared
/// library. TorchSharp 0.107's libLibTorchSharp.so asks for GLIBCXX_3.4.32 (GCC 13's libstdc++) for one
/// symbol it never calls; marking that requirement weak (VER_FLG_WEAK) lets it load with GCC 12's.
/// </summary>
static class GlibcxxVersionNeeds
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlagWeak = 0x2;

    static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    };

    /// <summary>The libstdc++ this process maps (the one a library it loads will get), else the system's, else null.</summary>
#nullable enable
    public static string? SystemLibStdCxx()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.IndexOf("/libstdc++.so", slash, StringComparison.Ordinal) >= 0 && File.Exists(line.Substring(slash)))
                    return line.Substring(slash);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Array.Find(LibStdCxxCandidates, File.Exists);
    }
#nullable restore

    /// <summary>Whether the library file defines <paramref name="version"/> (its name appears in it).</summary>
    public static bool Provides(string library, string version) =>
        Contains(File.ReadAllBytes(library), Encoding.ASCII.GetBytes(version + "\0"));

    /// <summary>Whether <paramref name="elf"/> requires <paramref name="version"/> without the weak flag.</summary>
    public static bool RequiresStrongly(byte[] elf, string version) => Walk(elf, version, mark: false);

    /// <summary>Sets the weak flag on every requirement of <paramref name="version"/>; returns whether anything changed.</summary>
    /// <exception cref="InvalidDataException">Not a little-endian 64-bit ELF file.</exception>
    public static bool MarkWeak(byte[] elf, string version) => Walk(elf, version, mark: true);

    // Returns whether a strong requirement of the version was found (and, with mark, weakened).
    static bool Walk(byte[] elf, string version, bool mark)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a little-endian 64-bit ELF file");

        long sectionTable = (long)BitConverter.ToUInt64(elf, 0x28);
        int sectionSize = BitConverter.ToUInt16(elf, 0x3A);
        int sectionCount = BitConverter.ToUInt16(elf, 0x3C);
        var name = Encoding.ASCII.GetBytes(version);
        bool strong = false;

        for (int s = 0; s < sectionCount; s++)
        {
            long header = sectionTable + (long)s * sectionSize;
            if (BitConverter.ToUInt32(elf, (int)header + 4) != ShtGnuVerneed) continue;
            long offset = (long)BitConverter.ToUInt64(elf, (int)header + 0x18);
            int link = (int)BitConverter.ToUInt32(elf, (int)header + 0x28);
            int needCount = (int)BitConverter.ToUInt32(elf, (int)header + 0x2C);
            long strings = (long)BitConverter.ToUInt64(elf, (int)(sectionTable + (long)link * sectionSize) + 0x18);

            // Verneed entries (16 bytes), each followed by a chain of Vernaux entries (16 bytes).
            long need = offset;
            for (int n = 0; n < needCount; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    long auxName = strings + BitConverter.ToUInt32(elf, (int)aux + 8);
                    ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                    if (NameAt(elf, auxName, name) && (flags & VerFlagWeak) == 0)
                    {
                        strong = true;
                        if (mark) BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(elf, (int)aux + 4);
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                need += BitConverter.ToUInt32(elf, (int)need + 12);
            }
        }
        return strong;
    }

    static bool NameAt(byte[] data, long at, byte[] name)
    {
        if (at + name.Length >= data.Length) return false;
        for (int i = 0; i < name.Length; i++)
            if (data[at + i] != name[i]) return false;
        return data[at + name.Length] == 0;
    }

    static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }
}
