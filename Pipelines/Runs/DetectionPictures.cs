using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Detection;
using MLToolkit.Datasets.Segmentation;

namespace MLToolkit.Pipelines.Runs;

/// <summary>
/// A PNG of test scenes for a detection run: each row shows a scene with its true boxes, and the same scene with
/// the predicted boxes (score ≥ 0.3), each box in its class's colour (Pascal VOC palette) with the class index
/// written in its top-left corner.
/// </summary>
public static class DetectionPictures
{
    /// <summary>Draws the first <paramref name="scenes"/> rows of <paramref name="scored"/> into <paramref name="path"/>, each picture enlarged <paramref name="zoom"/> times.</summary>
    public static void Write(IDataView scored, string path, string predictedLabels = "PredictedLabels", string predictedBoxes = "PredictedBoxes",
        string scoresColumn = "Scores", int scenes = 6, int zoom = 3)
    {
        var dimensions = ((VectorDataViewType)scored.Schema["Image"].Type).Dimensions;
        int height = dimensions[1], width = dimensions[2];
        var images = scored.GetColumn<float[]>("Image").Take(scenes).ToArray();
        var truth = DetectionData.ReadObjects(scored, DetectionData.Labels, DetectionData.Boxes, scenes);
        var found = DetectionData.ReadObjects(scored, predictedLabels, predictedBoxes, scenes);
        var scores = scored.GetColumn<float[]>(scoresColumn).Take(scenes).ToArray();
        if (images.Length == 0) return;
        const int gap = 4;
        int cell = width * zoom, cellHeight = height * zoom;
        int canvasWidth = 2 * cell + gap, canvasHeight = images.Length * cellHeight + (images.Length - 1) * gap;
        var rgba = new byte[canvasWidth * canvasHeight * 4];
        Array.Fill(rgba, (byte)255);
        void Set(int x, int y, (byte R, byte G, byte B) colour)
        {
            if (x < 0 || y < 0 || x >= canvasWidth || y >= canvasHeight) return;
            int offset = 4 * (y * canvasWidth + x);
            (rgba[offset], rgba[offset + 1], rgba[offset + 2]) = colour;
        }
        for (int r = 0; r < images.Length; r++)
        {
            int top = r * (cellHeight + gap);
            for (int panel = 0; panel < 2; panel++)
            {
                int left = panel * (cell + gap);
                for (int y = 0; y < cellHeight; y++)
                    for (int x = 0; x < cell; x++)
                    {
                        byte grey = (byte)Math.Clamp(MathF.Round(images[r][y / zoom * width + x / zoom] * 255), 0, 255);
                        Set(left + x, top + y, (grey, grey, grey));
                    }
                var boxes = panel == 0 ? truth[r] : found[r].Where((_, k) => scores[r][k] >= 0.3f).ToArray();
                foreach (var o in boxes)
                {
                    var colour = MaskPalette.Of((uint)o.Label + 1);
                    int x0 = left + (int)(o.Box.XMin * zoom), y0 = top + (int)(o.Box.YMin * zoom);
                    int x1 = left + Math.Min(cell - 1, (int)(o.Box.XMax * zoom)), y1 = top + Math.Min(cellHeight - 1, (int)(o.Box.YMax * zoom));
                    for (int x = x0; x <= x1; x++) { Set(x, y0, colour); Set(x, y1, colour); }
                    for (int y = y0; y <= y1; y++) { Set(x0, y, colour); Set(x1, y, colour); }
                    Glyph(o.Label, x0 + 2, y0 + 2, colour, Set);
                }
            }
        }
        using var picture = MLImage.CreateFromPixels(canvasWidth, canvasHeight, MLPixelFormat.Rgba32, rgba);
        picture.Save(path);
    }

    // 3×5 pixel digits, one row of three bits per line, for the class index (classes 0–9; others get no glyph).
    static readonly string[] Digits = ["111101101101111", "010110010010111", "111001111100111", "111001111001111", "101101111001001",
        "111100111001111", "111100111101111", "111001001001001", "111101111101111", "111101111001111"];

    static void Glyph(int label, int left, int top, (byte, byte, byte) colour, Action<int, int, (byte, byte, byte)> set)
    {
        if (label is < 0 or > 9) return;
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 3; x++)
                if (Digits[label][y * 3 + x] == '1')
                    for (int dy = 0; dy < 2; dy++)
                        for (int dx = 0; dx < 2; dx++) set(left + 2 * x + dx, top + 2 * y + dy, colour);
    }
}
