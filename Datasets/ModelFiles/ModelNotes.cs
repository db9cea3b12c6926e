using System.IO.Compression;
using System.Text.Json;

namespace MLToolkit.Datasets.ModelFiles;

/// <summary>
/// Small JSON records kept inside a saved model file, as extra entries of its zip under <c>MLToolkit/</c>,
/// which ML.NET's loader ignores: what the model was trained on, so that later commands need not be told again.
/// </summary>
public static class ModelNotes
{
    /// <summary>Writes <paramref name="value"/> as the note <paramref name="name"/> of the model at <paramref name="modelPath"/>, replacing an earlier one.</summary>
    public static void Write<T>(string modelPath, string name, T value)
    {
        using var zip = ZipFile.Open(modelPath, ZipArchiveMode.Update);
        var entryName = EntryName(name);
        zip.GetEntry(entryName)?.Delete();
        using var stream = zip.CreateEntry(entryName).Open();
        JsonSerializer.Serialize(stream, value);
    }

    /// <summary>The note <paramref name="name"/> of the model at <paramref name="modelPath"/>, or default when it has none.</summary>
    public static T? Read<T>(string modelPath, string name)
    {
        using var zip = ZipFile.OpenRead(modelPath);
        if (zip.GetEntry(EntryName(name)) is not { } entry) return default;
        using var stream = entry.Open();
        return JsonSerializer.Deserialize<T>(stream);
    }

    static string EntryName(string name) => $"MLToolkit/{name}.json";
}
