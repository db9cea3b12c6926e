using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLToolkit.Trainers.Scoring;

/// <summary>
/// The original label values behind a key column (ML.NET's <c>KeyValues</c> annotation), kept so
/// that <c>PredictedLabel</c> carries them too and <c>MapKeyToValue</c> turns predictions back into
/// labels, also after the model is saved and loaded.
/// </summary>
public sealed class KeyValues
{
    /// <summary>The annotation kind ML.NET uses for the values of a key column.</summary>
    public const string KeyValuesKind = "KeyValues";

    static readonly Dictionary<string, (Type Clr, DataViewType View)> Types = new()
    {
        ["Text"] = (typeof(ReadOnlyMemory<char>), TextDataViewType.Instance),
        ["Single"] = (typeof(float), NumberDataViewType.Single),
        ["Double"] = (typeof(double), NumberDataViewType.Double),
        ["SByte"] = (typeof(sbyte), NumberDataViewType.SByte),
        ["Byte"] = (typeof(byte), NumberDataViewType.Byte),
        ["Int16"] = (typeof(short), NumberDataViewType.Int16),
        ["UInt16"] = (typeof(ushort), NumberDataViewType.UInt16),
        ["Int32"] = (typeof(int), NumberDataViewType.Int32),
        ["UInt32"] = (typeof(uint), NumberDataViewType.UInt32),
        ["Int64"] = (typeof(long), NumberDataViewType.Int64),
        ["UInt64"] = (typeof(ulong), NumberDataViewType.UInt64),
        ["Boolean"] = (typeof(bool), BooleanDataViewType.Instance),
    };

    KeyValues(string typeName, string[] values) => (TypeName, Values) = (typeName, values);

    /// <summary>Text values (class names).</summary>
    internal static KeyValues OfText(IEnumerable<string> names) => new("Text", names.ToArray());

    /// <summary>The item type of the values (Text, Single, UInt32, …).</summary>
    public string TypeName { get; }

    /// <summary>The values as invariant-culture text, by key index (key 1 is <c>Values[0]</c>).</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>The key values of <paramref name="column"/>, or null when it has none of a supported type.</summary>
    public static KeyValues? FromColumn(DataViewSchema.Column column)
    {
        var annotation = column.Annotations.Schema.GetColumnOrNull(KeyValuesKind);
        if (annotation?.Type is not VectorDataViewType vector) return null;
        var entry = Types.FirstOrDefault(t => t.Value.View.Equals(vector.ItemType));
        if (entry.Key is null) return null;
        var read = typeof(KeyValues).GetMethod(nameof(ReadValues), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(entry.Value.Clr);
        var values = (string[])read.Invoke(null, [column])!;
        return new KeyValues(entry.Key, values);
    }

    static string[] ReadValues<T>(DataViewSchema.Column column)
    {
        VBuffer<T> buffer = default;
        column.GetKeyValues(ref buffer);
        return buffer.DenseValues().Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToArray();
    }

    /// <summary>
    /// A one-value stand-in of the given item type, for schema propagation (<c>GetOutputSchema</c>),
    /// where only the type of the values matters; null when the type is not supported.
    /// </summary>
    public static KeyValues? Placeholder(DataViewType itemType)
    {
        var entry = Types.FirstOrDefault(t => t.Value.View.Equals(itemType));
        if (entry.Key is null) return null;
        return new KeyValues(entry.Key, [entry.Key == "Text" ? "" : entry.Key == "Boolean" ? "False" : "0"]);
    }

    /// <summary>Writes the values.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(TypeName);
        writer.Write(Values.Count);
        foreach (var value in Values) writer.Write(value);
    }

    /// <summary>Reads values written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">The data names an unknown type.</exception>
    public static KeyValues Read(BinaryReader reader)
    {
        var typeName = reader.ReadString();
        if (!Types.ContainsKey(typeName)) throw new InvalidDataException($"Unknown key value type '{typeName}' in the model file.");
        int count = reader.ReadInt32();
        if (count < 0) throw new InvalidDataException($"Negative key value count {count} in the model file.");
        var values = new string[count];
        for (int i = 0; i < count; i++) values[i] = reader.ReadString();
        return new KeyValues(typeName, values);
    }

    /// <summary>Adds the values as the <c>KeyValues</c> annotation of a schema definition column.</summary>
    public void AddTo(SchemaDefinition.Column column)
    {
        var add = typeof(KeyValues).GetMethod(nameof(AddTyped), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .MakeGenericMethod(Types[TypeName].Clr);
        add.Invoke(this, [column]);
    }

    void AddTyped<T>(SchemaDefinition.Column column)
    {
        var parsed = Values.Select(Parse<T>).ToArray();
        column.AddAnnotation(KeyValuesKind, new VBuffer<T>(parsed.Length, parsed),
            new VectorDataViewType((PrimitiveDataViewType)Types[TypeName].View, parsed.Length));
    }

    static T Parse<T>(string text)
    {
        object value = typeof(T) == typeof(ReadOnlyMemory<char>)
            ? text.AsMemory()
            : Convert.ChangeType(text, typeof(T), CultureInfo.InvariantCulture);
        return (T)value;
    }
}
