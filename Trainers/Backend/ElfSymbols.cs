using System.IO.MemoryMappedFiles;
using System.Text;

namespace MLToolkit.Trainers.Backend;

/// <summary>Reads named entries of an ELF64 file's full symbol table (<c>.symtab</c>).</summary>
internal static class ElfSymbols
{
    public readonly record struct Symbol(ulong Value, ulong Size);

    public static Dictionary<string, Symbol> Find(string path, params string[] names)
    {
        var found = new Dictionary<string, Symbol>();
        var wanted = names.Select(Encoding.ASCII.GetBytes).ToArray();
        using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        if (view.ReadUInt32(0) != 0x464C457F || view.ReadByte(4) != 2 || view.ReadByte(5) != 1)
            throw new InvalidDataException($"{path} is not a little-endian ELF64 file.");
        long sectionTable = view.ReadInt64(0x28);
        int sectionSize = view.ReadUInt16(0x3A), sectionCount = view.ReadUInt16(0x3C);
        for (int s = 0; s < sectionCount; s++)
        {
            long header = sectionTable + (long)s * sectionSize;
            if (view.ReadUInt32(header + 4) != 2) continue;   // SHT_SYMTAB
            long symbols = view.ReadInt64(header + 0x18), symbolsSize = view.ReadInt64(header + 0x20);
            long entrySize = view.ReadInt64(header + 0x38);
            long strings = view.ReadInt64(sectionTable + view.ReadUInt32(header + 0x28) * (long)sectionSize + 0x18);
            for (long entry = symbols; entry + entrySize <= symbols + symbolsSize; entry += entrySize)
            {
                long name = strings + view.ReadUInt32(entry);
                for (int w = 0; w < wanted.Length; w++)
                    if (NameIs(view, name, wanted[w]))
                        found[names[w]] = new Symbol(view.ReadUInt64(entry + 8), view.ReadUInt64(entry + 16));
                if (found.Count == names.Length) return found;
            }
        }
        return found;
    }

    static bool NameIs(MemoryMappedViewAccessor view, long at, byte[] name)
    {
        for (int i = 0; i < name.Length; i++)
            if (view.ReadByte(at + i) != name[i]) return false;
        return view.ReadByte(at + name.Length) == 0;
    }
}
