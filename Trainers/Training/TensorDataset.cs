using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Training;

/// <summary>
/// Training rows copied once out of an <see cref="IDataView"/> into two resident tensors:
/// images N × C × H × W and 0-based class indices N.
/// </summary>
internal sealed class TensorDataset : IDisposable
{
    TensorDataset(Tensor images, Tensor labels, ImageShape shape, int classes)
    {
        (Images, Labels, Shape, Classes) = (images, labels, shape, classes);
    }

    /// <summary>Images, N × C × H × W floats.</summary>
    public Tensor Images { get; }

    /// <summary>Targets: class indices (0-based, int64) N, masks (bytes) N × H × W (255: ignore), or detection grids (floats).</summary>
    public Tensor Labels { get; }

    /// <summary>The shape of one image.</summary>
    public ImageShape Shape { get; }

    /// <summary>Number of classes (the label key count).</summary>
    public int Classes { get; }

    /// <summary>Number of rows.</summary>
    public long Count => Labels.shape[0];

    /// <summary>
    /// Reads <paramref name="imageColumn"/> (float vector of <paramref name="shape"/>.Size) and the key-typed
    /// <paramref name="labelColumn"/> of every row.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type, a label is missing, or no rows.</exception>
    public static TensorDataset FromDataView(IDataView data, string imageColumn, string labelColumn, ImageShape shape)
    {
        var image = ImageColumns.Require(data.Schema, imageColumn, "image");
        var label = ImageColumns.Require(data.Schema, labelColumn, "label");
        int classes = LabelClasses(label);

        var pixels = new PackedRows<float>(data.GetRowCount(), shape.Size);
        var labels = new List<long>();
        using (var cursor = data.GetRowCursor(new[] { image, label }))
        {
            var getImage = cursor.GetGetter<VBuffer<float>>(image);
            var getLabel = cursor.GetGetter<uint>(label);
            VBuffer<float> buffer = default;
            uint key = 0;
            while (cursor.MoveNext())
            {
                getImage(ref buffer);
                getLabel(ref key);
                long row = pixels.Rows;
                // The image first, then the label, as before the rows were packed: a row wrong in both names its image.
                CopyImage(buffer, pixels, row, imageColumn, shape);
                if (key == 0 || key > classes)
                    throw new ArgumentException($"Row {row} of column '{labelColumn}' has a missing or unknown label (key {key}).");
                labels.Add(key - 1);
            }
        }
        return new TensorDataset(ImagesTensor(pixels, shape), torch.tensor(labels.ToArray()), shape, classes);
    }

    /// <summary>
    /// Reads <paramref name="imageColumn"/> (float vector of <paramref name="shape"/>.Size) and the mask column
    /// <paramref name="maskColumn"/> (Height × Width class indices below <paramref name="classes"/>, or 255 for
    /// "ignore") of every row: the targets are N × H × W.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing or of the wrong size, a class out of range, or no rows.</exception>
    public static TensorDataset FromMasks(IDataView data, string imageColumn, string maskColumn, ImageShape shape, int classes)
    {
        var image = ImageColumns.Require(data.Schema, imageColumn, "image");
        var mask = ImageColumns.Require(data.Schema, maskColumn, "mask");
        int plane = shape.Height * shape.Width;
        if (mask.Type is not VectorDataViewType { ItemType: var item, Size: var size } || item != NumberDataViewType.UInt32 || size != plane)
            throw new ArgumentException($"Mask column '{maskColumn}' has type {mask.Type}; expected a vector of {plane} UInt32 class indices ({shape.Height}x{shape.Width}).");
        var pixels = new PackedRows<float>(data.GetRowCount(), shape.Size);
        // Bytes, not int64: class indices and 255 fit, and a mask takes an eighth of the memory. SegmentationTask widens a batch.
        var targets = new PackedRows<byte>(data.GetRowCount(), plane);
        using (var cursor = data.GetRowCursor(new[] { image, mask }))
        {
            var getImage = cursor.GetGetter<VBuffer<float>>(image);
            var getMask = cursor.GetGetter<VBuffer<uint>>(mask);
            VBuffer<float> imageBuffer = default;
            VBuffer<uint> maskBuffer = default;
            while (cursor.MoveNext())
            {
                getImage(ref imageBuffer);
                getMask(ref maskBuffer);
                long row = pixels.Rows;
                CopyImage(imageBuffer, pixels, row, imageColumn, shape);
                var target = targets.Next();
                int i = 0;
                foreach (var value in maskBuffer.DenseValues())
                {
                    if (value >= classes && value != 255)
                        throw new ArgumentException($"Row {row} of column '{maskColumn}' has class {value}; the classes are 0–{classes - 1} (and 255 for ignore).");
                    target[i++] = (byte)value;
                }
            }
        }
        return new TensorDataset(ImagesTensor(pixels, shape), torch.tensor(targets.ToArray(), new long[] { targets.Rows, shape.Height, shape.Width }), shape, classes);
    }

    /// <summary>
    /// Reads images and their objects (<see cref="Datasets.Detection.DetectionData"/>'s columns) and encodes the objects
    /// as grid targets of <paramref name="stride"/> (see <see cref="Detection.GridTargets"/>): N × 6 × rows × columns floats.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type, a row's labels and boxes disagree, or no rows.</exception>
    public static TensorDataset FromDetections(IDataView data, string imageColumn, string labelsColumn, string boxesColumn, ImageShape shape, int stride)
    {
        var image = ImageColumns.Require(data.Schema, imageColumn, "image");
        var labels = ImageColumns.Require(data.Schema, labelsColumn, "labels");
        var boxes = ImageColumns.Require(data.Schema, boxesColumn, "boxes");
        if (labels.Type is not VectorDataViewType { ItemType: KeyDataViewType { Count: > 0 and var classes } })
            throw new ArgumentException($"Labels column '{labelsColumn}' has type {labels.Type}; expected a vector of keys (MapValueToKey on the class names).");
        var pixels = new PackedRows<float>(data.GetRowCount(), shape.Size);
        var targets = new List<float>();
        using var cursor = data.GetRowCursor(new[] { image, labels, boxes });
        var getImage = cursor.GetGetter<VBuffer<float>>(image);
        var getLabels = cursor.GetGetter<VBuffer<uint>>(labels);
        var getBoxes = cursor.GetGetter<VBuffer<float>>(boxes);
        VBuffer<float> imageBuffer = default, boxBuffer = default;
        VBuffer<uint> labelBuffer = default;
        while (cursor.MoveNext())
        {
            getImage(ref imageBuffer);
            getLabels(ref labelBuffer);
            getBoxes(ref boxBuffer);
            long row = pixels.Rows;
            CopyImage(imageBuffer, pixels, row, imageColumn, shape);
            var objects = Datasets.Detection.DetectionData.Objects(labelBuffer.DenseValues().ToArray(), boxBuffer.DenseValues().ToArray(), row);
            targets.AddRange(Detection.GridTargets.Encode(objects, shape.Width, shape.Height, stride));
        }
        return new TensorDataset(ImagesTensor(pixels, shape),
            torch.tensor(targets.ToArray(), new long[] { pixels.Rows, Detection.GridTargets.TargetChannels, shape.Height / stride, shape.Width / stride }), shape, (int)classes);
    }

    /// <summary>Copies one row's image into the next place of <paramref name="pixels"/>.</summary>
    /// <exception cref="ArgumentException">The image has the wrong number of values.</exception>
    static void CopyImage(VBuffer<float> buffer, PackedRows<float> pixels, long row, string column, ImageShape shape)
    {
        if (buffer.Length != shape.Size)
            throw new ArgumentException($"Row {row} of column '{column}' has {buffer.Length} values; expected {shape.Size} ({shape}).");
        buffer.CopyTo(pixels.Next()); // dense or sparse: VBuffer writes the zeros of a sparse row itself
    }

    /// <summary>The packed images as N × C × H × W.</summary>
    /// <exception cref="ArgumentException">There are no rows.</exception>
    static Tensor ImagesTensor(PackedRows<float> pixels, ImageShape shape) => pixels.Rows == 0
        ? throw new ArgumentException("The training data has no rows.")
        : torch.tensor(pixels.ToArray(), new long[] { pixels.Rows, shape.Channels, shape.Height, shape.Width });

    /// <summary>The number of classes of a key-typed label column.</summary>
    /// <exception cref="ArgumentException">The column is not a key type with a known count.</exception>
    public static int LabelClasses(DataViewSchema.Column label)
    {
        if (label.Type is not KeyDataViewType key || key.RawType != typeof(uint) || key.Count == 0 || key.Count > int.MaxValue)
            throw new ArgumentException(
                $"Label column '{label.Name}' has type {label.Type}; a CNN trainer needs a key type with a known number of classes. " +
                $"Add ml.Transforms.Conversion.MapValueToKey(\"{label.Name}\") before the trainer.");
        return (int)key.Count;
    }


    /// <summary>
    /// Splits off a random <paramref name="fraction"/> of the rows (seeded) as validation data;
    /// this dataset is left as it is.
    /// </summary>
    public (TensorDataset Train, TensorDataset Validation) Split(double fraction, int seed)
    {
        long validation = (long)Math.Round(Count * fraction);
        if (validation < 1 || validation >= Count)
            throw new ArgumentException($"A validation fraction of {fraction} of {Count} rows leaves no training or no validation rows.");
        using var generator = new Generator((ulong)seed + 2);
        using var order = torch.randperm(Count, generator: generator);
        using var trainIndex = order.narrow(0, 0, Count - validation);
        using var validationIndex = order.narrow(0, Count - validation, validation);
        return (new TensorDataset(Images.index_select(0, trainIndex), Labels.index_select(0, trainIndex), Shape, Classes),
                new TensorDataset(Images.index_select(0, validationIndex), Labels.index_select(0, validationIndex), Shape, Classes));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
