using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Segmentation;

namespace MLToolkit.Pipelines.Runs;

/// <summary>
/// A PNG of test scenes for a segmentation run: each row shows a scene, its true mask and the predicted
/// mask side by side, masks in the Pascal VOC colours (ignored pixels cream).
/// </summary>
public static class SegmentationPictures
{
    /// <summary>Draws the first <paramref name="scenes"/> rows of <paramref name="scored"/> into <paramref name="path"/>, each picture enlarged <paramref name="zoom"/> times.</summary>
    public static void Write(IDataView scored, string maskColumn, string predictedColumn, string path, int scenes = 8, int zoom = 3)
    {
        var imageColumn = scored.Schema["Image"];
        var dimensions = ((VectorDataViewType)imageColumn.Type).Dimensions;
        int channels = dimensions[0], height = dimensions[1], width = dimensions[2];
        var rows = new List<(float[] Image, uint[] Truth, uint[] Predicted)>();
        using (var cursor = scored.GetRowCursor(new[] { imageColumn, scored.Schema[maskColumn], scored.Schema[predictedColumn] }))
        {
            var getImage = cursor.GetGetter<VBuffer<float>>(imageColumn);
            var getTruth = cursor.GetGetter<VBuffer<uint>>(scored.Schema[maskColumn]);
            var getPredicted = cursor.GetGetter<VBuffer<uint>>(scored.Schema[predictedColumn]);
            VBuffer<float> image = default;
            VBuffer<uint> truth = default, predicted = default;
            while (rows.Count < scenes && cursor.MoveNext())
            {
                getImage(ref image);
                getTruth(ref truth);
                getPredicted(ref predicted);
                rows.Add((image.DenseValues().ToArray(), truth.DenseValues().ToArray(), predicted.DenseValues().ToArray()));
            }
        }
        if (rows.Count == 0) return;
        const int gap = 4;
        int cell = width * zoom, cellHeight = height * zoom;
        int canvasWidth = 3 * cell + 2 * gap, canvasHeight = rows.Count * cellHeight + (rows.Count - 1) * gap;
        var rgba = new byte[canvasWidth * canvasHeight * 4];
        Array.Fill(rgba, (byte)255);
        int plane = height * width;
        for (int r = 0; r < rows.Count; r++)
            for (int y = 0; y < cellHeight; y++)
                for (int x = 0; x < cell; x++)
                {
                    int p = y / zoom * width + x / zoom;
                    var (image, truth, predicted) = rows[r];
                    (byte, byte, byte) Pixel(int c) => (Byte(image[p]), Byte(image[channels == 3 ? plane + p : p]), Byte(image[channels == 3 ? 2 * plane + p : p]));
                    var colours = new[] { Pixel(0), MaskPalette.Of(truth[p]), MaskPalette.Of(predicted[p]) };
                    for (int panel = 0; panel < 3; panel++)
                    {
                        int offset = 4 * ((r * (cellHeight + gap) + y) * canvasWidth + panel * (cell + gap) + x);
                        (rgba[offset], rgba[offset + 1], rgba[offset + 2]) = colours[panel];
                    }
                }
        using var picture = MLImage.CreateFromPixels(canvasWidth, canvasHeight, MLPixelFormat.Rgba32, rgba);
        picture.Save(path);
    }

    static byte Byte(float value) => (byte)Math.Clamp(MathF.Round(value * 255), 0, 255);
}
