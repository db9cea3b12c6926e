using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Images;

namespace MLToolkit.Datasets.Detection;

/// <summary>
/// Images with labelled boxes as an <see cref="IDataView"/> in ML.NET's column conventions for object detection:
/// <c>Image</c> (floats in [0, 1], C×H×W recorded on the column), <c>Labels</c> (a key vector, one key per object:
/// class index + 1, with the class names as key values) and <c>Boxes</c> (a float vector of xmin, ymin, xmax, ymax
/// per object, in pixels).
/// </summary>
public static class DetectionData
{
    /// <summary>The labels column's name.</summary>
    public const string Labels = "Labels";

    /// <summary>The boxes column's name.</summary>
    public const string Boxes = "Boxes";

    /// <summary>The scenes as a data view with <paramref name="classes"/> as the key values of <c>Labels</c>.</summary>
    /// <exception cref="ArgumentException">An image of the wrong size, or a label outside the classes.</exception>
    public static IDataView FromScenes(MLContext ml, IReadOnlyList<DetectionScene> scenes, ImageShape shape, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(ml);
        var rows = scenes.Select((scene, i) =>
        {
            if (scene.Image.Length != shape.Size) throw new ArgumentException($"Scene {i} has {scene.Image.Length} values; expected {shape.Size} ({shape}).");
            if (scene.Objects.FirstOrDefault(o => o.Label < 0 || o.Label >= classes.Count) is { } bad)
                throw new ArgumentException($"Scene {i} has an object of class {bad.Label}; the classes are 0–{classes.Count - 1}.");
            return new Row
            {
                Image = scene.Image,
                Labels = scene.Objects.Select(o => (uint)o.Label + 1).ToArray(),
                Boxes = scene.Objects.SelectMany(o => new[] { o.Box.XMin, o.Box.YMin, o.Box.XMax, o.Box.YMax }).ToArray(),
            };
        }).ToArray();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[ImageColumns.Image].ColumnType = shape.ToColumnType();
        schema[Labels].ColumnType = new VectorDataViewType(new KeyDataViewType(typeof(uint), classes.Count));
        var names = new VBuffer<ReadOnlyMemory<char>>(classes.Count, classes.Select(c => c.AsMemory()).ToArray());
        schema[Labels].AddAnnotation("KeyValues", names, new VectorDataViewType(TextDataViewType.Instance, classes.Count));
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>The objects of each row (the first <paramref name="rows"/> when given), read from a key-vector labels column and a boxes column.</summary>
    /// <exception cref="ArgumentException">A row's labels and boxes do not describe the same number of objects.</exception>
    public static IReadOnlyList<LabeledBox>[] ReadObjects(IDataView data, string labelsColumn, string boxesColumn, int? rows = null)
    {
        int take = rows ?? int.MaxValue;
        var keys = data.GetColumn<VBuffer<uint>>(labelsColumn).Take(take).Select(v => v.DenseValues().ToArray()).ToArray();
        var values = data.GetColumn<float[]>(boxesColumn).Take(take).ToArray();
        return keys.Select((k, row) => Objects(k, values[row], row)).ToArray();
    }

    /// <summary>The objects of one row read back from its <c>Labels</c> keys and <c>Boxes</c>.</summary>
    /// <exception cref="ArgumentException">The two columns do not describe the same number of objects.</exception>
    public static IReadOnlyList<LabeledBox> Objects(ReadOnlySpan<uint> keys, ReadOnlySpan<float> boxes, long row)
    {
        if (boxes.Length != 4 * keys.Length)
            throw new ArgumentException($"Row {row} has {keys.Length} labels but {boxes.Length} box values; each object needs one label and four numbers (xmin, ymin, xmax, ymax).");
        var objects = new LabeledBox[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            if (keys[i] == 0) throw new ArgumentException($"Row {row}: object {i + 1} has a missing label.");
            objects[i] = new LabeledBox((int)keys[i] - 1, new BoundingBox(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]));
        }
        return objects;
    }

    sealed class Row
    {
        public float[] Image { get; set; } = [];
        public uint[] Labels { get; set; } = [];
        public float[] Boxes { get; set; } = [];
    }
}
