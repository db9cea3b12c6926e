using System.Text.Json;

namespace MLToolkit.Datasets.Detection;

/// <summary>
/// COCO detection annotations: one JSON file with <c>images</c> (<c>id</c>, <c>file_name</c>, <c>width</c>,
/// <c>height</c>), <c>annotations</c> (<c>image_id</c>, <c>category_id</c>, <c>bbox</c> as [x, y, width, height]
/// in continuous pixel coordinates) and <c>categories</c> (<c>id</c>, <c>name</c>). Classes are the categories in
/// file order (COCO's ids have gaps; the index is the position). Crowd annotations (<c>iscrowd</c> 1) are left out.
/// </summary>
public static class CocoReader
{
    /// <summary>Reads <paramref name="annotationFile"/>; image file names are relative to <paramref name="imageFolder"/>.</summary>
    /// <exception cref="InvalidDataException">Malformed JSON, a box empty or outside its image, an unknown category or image id.</exception>
    /// <exception cref="FileNotFoundException">The annotation file or an image is missing.</exception>
    public static DetectionDataset Read(string annotationFile, string imageFolder)
    {
        if (!File.Exists(annotationFile)) throw new FileNotFoundException($"COCO annotation file '{annotationFile}' does not exist.", annotationFile);
        JsonDocument document;
        try { document = JsonDocument.Parse(File.ReadAllText(annotationFile)); }
        catch (JsonException e) { throw new InvalidDataException($"{annotationFile} is not valid JSON: {e.Message}", e); }
        using (document)
        {
            var root = document.RootElement;
            JsonElement Array(JsonElement parent, string name) => parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value
                : throw new InvalidDataException($"{annotationFile} has no '{name}' array.");
            var categories = Array(root, "categories").EnumerateArray().Select(c => (Id: c.GetProperty("id").GetInt64(), Name: c.GetProperty("name").GetString() ?? "")).ToArray();
            var classOf = categories.Select((c, i) => (c.Id, i)).ToDictionary(x => x.Id, x => x.i);
            var images = Array(root, "images").EnumerateArray().Select(i => (Id: i.GetProperty("id").GetInt64(), File: i.GetProperty("file_name").GetString() ?? "",
                Width: i.GetProperty("width").GetInt32(), Height: i.GetProperty("height").GetInt32())).ToArray();
            var imageIds = images.Select(i => i.Id).ToHashSet();
            var boxes = images.ToDictionary(i => i.Id, _ => new List<LabeledBox>());
            int number = 0;
            foreach (var annotation in Array(root, "annotations").EnumerateArray())
            {
                number++;
                long imageId = annotation.GetProperty("image_id").GetInt64();
                string where = $"{annotationFile}: annotation {number} (image_id {imageId})";
                if (!imageIds.Contains(imageId)) throw new InvalidDataException($"{where} refers to an image that is not in 'images'.");
                if (annotation.TryGetProperty("iscrowd", out var crowd) && crowd.GetInt32() == 1) continue;
                long category = annotation.GetProperty("category_id").GetInt64();
                if (!classOf.TryGetValue(category, out int label))
                    throw new InvalidDataException($"{where} has category_id {category}, which is not in 'categories' ({string.Join(", ", categories.Select(c => $"{c.Id} {c.Name}"))}).");
                var b = annotation.GetProperty("bbox").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                if (b.Length != 4) throw new InvalidDataException($"{where} has a bbox of {b.Length} numbers; COCO boxes are [x, y, width, height].");
                var image = images.First(i => i.Id == imageId);
                boxes[imageId].Add(new LabeledBox(label, BoxCheck.Checked(where, boxes[imageId].Count + 1, new BoundingBox(b[0], b[1], b[0] + b[2], b[1] + b[3]), image.Width, image.Height)));
            }
            var samples = images.Select(i => new DetectionSample(BoxCheck.Image(annotationFile, imageFolder, i.File), i.Width, i.Height, boxes[i.Id])).ToArray();
            return new DetectionDataset(categories.Select(c => c.Name).ToArray(), samples);
        }
    }
}
