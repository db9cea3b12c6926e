using System.Globalization;
using System.Xml.Linq;

namespace MLToolkit.Datasets.Detection;

/// <summary>
/// Pascal VOC detection annotations: <c>Annotations/*.xml</c> (one per image: <c>filename</c>, <c>size</c> and an
/// <c>object</c> per box with <c>name</c> and <c>bndbox</c>), images in <c>JPEGImages/</c>, optional split lists in
/// <c>ImageSets/Main/&lt;split&gt;.txt</c>. VOC's corners are 1-based pixel indices, inclusive (a box over the first ten
/// pixels is xmin 1, xmax 10); they become continuous coordinates (0 to 10), so no "+1 pixel" term is needed later.
/// Objects marked <c>difficult</c> are kept unless <c>skipDifficult</c> drops them.
/// </summary>
public static class PascalVocReader
{
    /// <summary>Reads <paramref name="root"/>; <paramref name="split"/> names an <c>ImageSets/Main</c> list (all annotations when null).</summary>
    /// <param name="root">The folder holding <c>Annotations/</c> and <c>JPEGImages/</c>.</param>
    /// <param name="split">"train", "val", "test"… or null.</param>
    /// <param name="classes">The class names in index order; null collects them from the files in sorted order.</param>
    /// <param name="skipDifficult">Leave out objects marked difficult.</param>
    /// <exception cref="DirectoryNotFoundException">A required folder is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, a box is empty or outside its image, or a class is not in <paramref name="classes"/>.</exception>
    /// <exception cref="FileNotFoundException">An annotation's image is missing.</exception>
    public static DetectionDataset Read(string root, string? split = null, IReadOnlyList<string>? classes = null, bool skipDifficult = false)
    {
        string annotations = Path.Combine(root, "Annotations"), images = Path.Combine(root, "JPEGImages");
        if (!Directory.Exists(annotations)) throw new DirectoryNotFoundException($"'{root}' has no Annotations/ folder: it is not in the Pascal VOC layout.");
        IEnumerable<string> files;
        if (split is null) files = Directory.GetFiles(annotations, "*.xml").Order(StringComparer.Ordinal);
        else
        {
            string list = Path.Combine(root, "ImageSets", "Main", split + ".txt");
            if (!File.Exists(list)) throw new FileNotFoundException($"Split list '{list}' does not exist.", list);
            files = File.ReadAllLines(list).Select(l => l.Trim()).Where(l => l.Length > 0).Select(id => Path.Combine(annotations, id + ".xml"));
        }
        var parsed = files.Select(f => Parse(f, images, skipDifficult)).ToList();
        var names = classes ?? parsed.SelectMany(p => p.Objects.Select(o => o.Name)).Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        var samples = parsed.Select(p => new DetectionSample(p.Image, p.Width, p.Height, p.Objects.Select((o, k) =>
            new LabeledBox(index.TryGetValue(o.Name, out int label) ? label
                : throw new InvalidDataException($"{p.File}: box {k + 1} has class '{o.Name}', which is not one of {string.Join(", ", names)}."), o.Box)).ToArray())).ToArray();
        return new DetectionDataset(names, samples);
    }

    sealed record Parsed(string File, string Image, int Width, int Height, IReadOnlyList<(string Name, BoundingBox Box)> Objects);

    static Parsed Parse(string file, string images, bool skipDifficult)
    {
        if (!File.Exists(file)) throw new FileNotFoundException($"Annotation '{file}' does not exist.", file);
        XElement root;
        try { root = XElement.Load(file); }
        catch (System.Xml.XmlException e) { throw new InvalidDataException($"{file} is not valid XML: {e.Message}", e); }
        string Text(XElement parent, string name) => parent.Element(name)?.Value.Trim() is { Length: > 0 } value ? value
            : throw new InvalidDataException($"{file}: <{parent.Name}> has no <{name}>.");
        float Number(XElement parent, string name) => float.TryParse(Text(parent, name), NumberStyles.Float, CultureInfo.InvariantCulture, out float v) ? v
            : throw new InvalidDataException($"{file}: <{name}> '{Text(parent, name)}' is not a number.");
        var size = root.Element("size") ?? throw new InvalidDataException($"{file}: <annotation> has no <size>.");
        int width = (int)Number(size, "width"), height = (int)Number(size, "height");
        string image = BoxCheck.Image(file, images, Text(root, "filename"));
        var objects = new List<(string, BoundingBox)>();
        int number = 0;
        foreach (var element in root.Elements("object"))
        {
            number++;
            if (skipDifficult && element.Element("difficult")?.Value.Trim() == "1") continue;
            var box = element.Element("bndbox") ?? throw new InvalidDataException($"{file}: object {number} has no <bndbox>.");
            var corners = new BoundingBox(Number(box, "xmin") - 1, Number(box, "ymin") - 1, Number(box, "xmax"), Number(box, "ymax"));
            objects.Add((Text(element, "name"), BoxCheck.Checked(file, number, corners, width, height)));
        }
        return new Parsed(file, image, width, height, objects);
    }
}
