using MLToolkit.Datasets.Detection;
using MLToolkit.UnitTests.Datasets;
using MLToolkit.UnitTests.Segmentation;

namespace MLToolkit.UnitTests.Detection;

/// <summary>The generated MNIST detection scenes and the three annotation formats, with each kind of bad input.</summary>
public class DetectionDataTests
{
    [Fact]
    public void The_same_seed_gives_the_same_scenes_and_every_box_is_tight_around_ink()
    {
        var options = new DetectionSceneOptions { TrainScenes = 40, TestScenes = 10 };
        var (a, test) = MnistDetectionScenes.Generate(options);
        var (b, _) = MnistDetectionScenes.Generate(options);
        var (c, _) = MnistDetectionScenes.Generate(options with { Seed = 5 });
        Assert.Equal(a.Select(s => s.Image), b.Select(s => s.Image));
        Assert.Equal(a.SelectMany(s => s.Objects), b.SelectMany(s => s.Objects));
        Assert.NotEqual(a.SelectMany(s => s.Objects), c.SelectMany(s => s.Objects));
        Assert.Equal(10, test.Count);
        foreach (var scene in a)
        {
            Assert.InRange(scene.Objects.Count, 1, 5);
            foreach (var o in scene.Objects)
            {
                Assert.InRange(o.Label, 0, 9);
                Assert.True(o.Box.XMin >= 0 && o.Box.YMin >= 0 && o.Box.XMax <= 128 && o.Box.YMax <= 128, $"{o.Box} leaves the canvas");
                Assert.InRange(Math.Max(o.Box.Width, o.Box.Height), 4, 56);
                // Ink on the box's top row (the digit's own or a neighbour's) and nothing of the canvas at that brightness outside every box.
                Assert.Contains(Enumerable.Range((int)o.Box.XMin, (int)o.Box.Width), x => scene.Image[(int)o.Box.YMin * 128 + x] >= 0.25f);
            }
            for (int p = 0; p < scene.Image.Length; p++)
                if (scene.Image[p] >= 0.25f)
                    Assert.Contains(scene.Objects, o => o.Box.XMin <= p % 128 && p % 128 < o.Box.XMax && o.Box.YMin <= p / 128 && p / 128 < o.Box.YMax);
        }
    }

    [Fact]
    public void Training_scenes_use_training_digits_and_test_scenes_test_digits()
    {
        var folder = TestData.TempDirectory();
        SceneDataTests.WriteIdx(folder, "train", 40, 3);
        SceneDataTests.WriteIdx(folder, "t10k", 40, 7);
        var (train, test) = MnistDetectionScenes.Generate(folder, new DetectionSceneOptions { TrainScenes = 20, TestScenes = 20 });
        Assert.Equal([3], train.SelectMany(s => s.Objects).Select(o => o.Label).Distinct());
        Assert.Equal([7], test.SelectMany(s => s.Objects).Select(o => o.Label).Distinct());
    }

    static string Image(string folder, string name, int width = 40, int height = 30)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name);
        PngWriter.Write(path, width, height, (x, y) => (byte)(x * 5));
        return path;
    }

    static string Voc(string objects, string image = "a.png", bool writeImage = true)
    {
        var root = TestData.TempDirectory();
        if (writeImage) Image(Path.Combine(root, "JPEGImages"), image);
        Directory.CreateDirectory(Path.Combine(root, "Annotations"));
        File.WriteAllText(Path.Combine(root, "Annotations", "a.xml"),
            $"<annotation><filename>{image}</filename><size><width>40</width><height>30</height><depth>3</depth></size>{objects}</annotation>");
        return root;
    }

    static string VocObject(string name, int x0, int y0, int x1, int y1) =>
        $"<object><name>{name}</name><bndbox><xmin>{x0}</xmin><ymin>{y0}</ymin><xmax>{x1}</xmax><ymax>{y1}</ymax></bndbox></object>";

    [Fact]
    public void Pascal_VOC_boxes_become_continuous_coordinates()
    {
        var data = PascalVocReader.Read(Voc(VocObject("dog", 1, 1, 10, 20) + VocObject("cat", 11, 5, 40, 30)));
        Assert.Equal(["cat", "dog"], data.Classes);
        var sample = Assert.Single(data.Samples);
        Assert.Equal((40, 30), (sample.Width, sample.Height));
        Assert.Equal(new LabeledBox(1, new BoundingBox(0, 0, 10, 20)), sample.Objects[0]);
        Assert.Equal(new LabeledBox(0, new BoundingBox(10, 4, 40, 30)), sample.Objects[1]);
    }

    [Fact]
    public void Pascal_VOC_bad_input_names_the_file_and_the_box()
    {
        var outside = Assert.Throws<InvalidDataException>(() => PascalVocReader.Read(Voc(VocObject("dog", 1, 1, 10, 20) + VocObject("dog", 30, 1, 45, 20))));
        Assert.Contains("a.xml: box 2 [29, 0, 45, 20] lies outside the 40×30 image", outside.Message);
        var empty = Assert.Throws<InvalidDataException>(() => PascalVocReader.Read(Voc(VocObject("dog", 10, 5, 8, 20))));
        Assert.Contains("a.xml: box 1 [9, 4, 8, 20] has zero or negative size", empty.Message);
        var unknown = Assert.Throws<InvalidDataException>(() => PascalVocReader.Read(Voc(VocObject("cow", 1, 1, 10, 20)), classes: ["cat", "dog"]));
        Assert.Contains("a.xml: box 1 has class 'cow', which is not one of cat, dog", unknown.Message);
        var noImage = Assert.Throws<FileNotFoundException>(() => PascalVocReader.Read(Voc(VocObject("dog", 1, 1, 10, 20), writeImage: false)));
        Assert.Contains("a.xml: its image", noImage.Message);
        Assert.Contains("a.png' does not exist", noImage.Message);
    }

    static string Coco(string annotations, string categories = """[{"id": 3, "name": "cat"}, {"id": 7, "name": "dog"}]""")
    {
        var root = TestData.TempDirectory();
        Image(Path.Combine(root, "images"), "a.png");
        File.WriteAllText(Path.Combine(root, "instances.json"),
            $$"""{"images": [{"id": 11, "file_name": "a.png", "width": 40, "height": 30}], "annotations": [{{annotations}}], "categories": {{categories}}}""");
        return root;
    }

    static DetectionDataset ReadCoco(string root) => CocoReader.Read(Path.Combine(root, "instances.json"), Path.Combine(root, "images"));

    [Fact]
    public void COCO_boxes_are_x_y_width_height_and_categories_index_in_file_order()
    {
        var data = ReadCoco(Coco("""{"image_id": 11, "category_id": 7, "bbox": [2.5, 3, 10, 20]}, {"image_id": 11, "category_id": 3, "bbox": [0, 0, 5, 5], "iscrowd": 1}"""));
        Assert.Equal(["cat", "dog"], data.Classes);
        Assert.Equal([new LabeledBox(1, new BoundingBox(2.5f, 3, 12.5f, 23))], Assert.Single(data.Samples).Objects);
    }

    [Fact]
    public void COCO_bad_input_names_the_file_and_the_box()
    {
        var outside = Assert.Throws<InvalidDataException>(() => ReadCoco(Coco("""{"image_id": 11, "category_id": 7, "bbox": [35, 3, 10, 20]}""")));
        Assert.Contains("instances.json: annotation 1 (image_id 11): box 1 [35, 3, 45, 23] lies outside the 40×30 image", outside.Message);
        var empty = Assert.Throws<InvalidDataException>(() => ReadCoco(Coco("""{"image_id": 11, "category_id": 7, "bbox": [5, 3, 0, 20]}""")));
        Assert.Contains("has zero or negative size", empty.Message);
        var unknown = Assert.Throws<InvalidDataException>(() => ReadCoco(Coco("""{"image_id": 11, "category_id": 9, "bbox": [5, 3, 4, 4]}""")));
        Assert.Contains("annotation 1 (image_id 11) has category_id 9, which is not in 'categories' (3 cat, 7 dog)", unknown.Message);
        var noImage = Assert.Throws<InvalidDataException>(() => ReadCoco(Coco("""{"image_id": 12, "category_id": 7, "bbox": [5, 3, 4, 4]}""")));
        Assert.Contains("annotation 1 (image_id 12) refers to an image that is not in 'images'", noImage.Message);
        var root = Coco("""{"image_id": 11, "category_id": 7, "bbox": [5, 3, 4, 4]}""");
        File.Delete(Path.Combine(root, "images", "a.png"));
        Assert.Contains("instances.json: its image", Assert.Throws<FileNotFoundException>(() => ReadCoco(root)).Message);
    }

    static string Yolo(string labels, string classes = "cat\ndog\n")
    {
        var root = TestData.TempDirectory();
        Image(Path.Combine(root, "images"), "a.png");
        Image(Path.Combine(root, "images"), "b.png");
        Directory.CreateDirectory(Path.Combine(root, "labels"));
        File.WriteAllText(Path.Combine(root, "labels", "a.txt"), labels);
        File.WriteAllText(Path.Combine(root, "classes.txt"), classes);
        return root;
    }

    [Fact]
    public void YOLO_labels_are_fractions_of_the_image_and_an_image_without_labels_has_no_objects()
    {
        var data = YoloReader.Read(Yolo("1 0.5 0.5 0.25 0.5\n"));
        Assert.Equal(["cat", "dog"], data.Classes);
        Assert.Equal(2, data.Samples.Count);
        Assert.Equal([new LabeledBox(1, new BoundingBox(15, 7.5f, 25, 22.5f))], data.Samples[0].Objects);
        Assert.Empty(data.Samples[1].Objects);
    }

    [Fact]
    public void YOLO_bad_input_names_the_file_and_the_box()
    {
        var outside = Assert.Throws<InvalidDataException>(() => YoloReader.Read(Yolo("0 0.5 0.5 0.2 0.2\n1 0.9 0.5 0.5 0.2\n")));
        Assert.Contains("a.txt: box 2 [26, 12, 46, 18] lies outside the 40×30 image", outside.Message);
        var empty = Assert.Throws<InvalidDataException>(() => YoloReader.Read(Yolo("0 0.5 0.5 0 0.2\n")));
        Assert.Contains("a.txt: box 1", empty.Message);
        Assert.Contains("zero or negative size", empty.Message);
        var unknown = Assert.Throws<InvalidDataException>(() => YoloReader.Read(Yolo("2 0.5 0.5 0.2 0.2\n")));
        Assert.Contains("a.txt: box 1 has class 2; classes.txt names 2 classes (0 to 1)", unknown.Message);
        var root = Yolo("0 0.5 0.5 0.2 0.2\n");
        File.WriteAllText(Path.Combine(root, "labels", "c.txt"), "0 0.5 0.5 0.2 0.2\n");
        var orphan = Assert.Throws<FileNotFoundException>(() => YoloReader.Read(root));
        Assert.Contains("c.txt: its image (c with .jpg, .jpeg, .png, .bmp) is not in", orphan.Message);
    }
}
