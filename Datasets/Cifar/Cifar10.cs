using Microsoft.ML;
using MLToolkit.Datasets.Images;

namespace MLToolkit.Datasets.Cifar;

/// <summary>
/// CIFAR-10 in its standard binary format ("CIFAR-10 binary version"): <c>data_batch_1.bin</c> …
/// <c>data_batch_5.bin</c> and <c>test_batch.bin</c>, each a run of 3,073-byte records — one label
/// byte (0–9) and 3,072 pixel bytes, the red, green and blue 32×32 planes in turn (channels first,
/// as the toolkit's Image column). Not vendored (163 MB): pass the folder you downloaded.
/// </summary>
public static class Cifar10
{
    /// <summary>The class names, in label order.</summary>
    public static readonly IReadOnlyList<string> ClassNames =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The image shape, 3 × 32 × 32.</summary>
    public static readonly ImageShape Shape = new(3, 32, 32);

    const int RecordSize = 1 + 3 * 32 * 32;

    /// <summary>The training files, in order.</summary>
    public static readonly IReadOnlyList<string> TrainFiles = Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray();

    /// <summary>The test file.</summary>
    public const string TestFile = "test_batch.bin";

    /// <summary>
    /// Reads the 50,000 training and 10,000 test images from <paramref name="directory"/>, or from its
    /// <c>cifar-10-batches-bin</c> subfolder (where the official archive unpacks).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A batch file is missing (the message names it).</exception>
    /// <exception cref="InvalidDataException">A file is not in the CIFAR-10 binary format (the message names it and the record).</exception>
    public static (IDataView Train, IDataView Test) Load(MLContext ml, string directory)
    {
        ArgumentNullException.ThrowIfNull(ml);
        var folder = Locate(directory);
        var (trainPixels, trainLabels) = ReadBatches(TrainFiles.Select(f => Path.Combine(folder, f)));
        var (testPixels, testLabels) = ReadBatch(Path.Combine(folder, TestFile));
        return (ImageDataView.FromBytes(ml, trainPixels, trainLabels, Shape), ImageDataView.FromBytes(ml, testPixels, testLabels, Shape));
    }

    static string Locate(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"CIFAR-10 folder '{directory}' does not exist. Download the binary version " +
                                                 "(cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html) and pass the unpacked folder.");
        var nested = Path.Combine(directory, "cifar-10-batches-bin");
        return !File.Exists(Path.Combine(directory, TestFile)) && Directory.Exists(nested) ? nested : directory;
    }

    /// <summary>Reads several batch files into one array of pixels and one of labels.</summary>
    public static (byte[] Pixels, byte[] Labels) ReadBatches(IEnumerable<string> paths)
    {
        var batches = paths.Select(ReadBatch).ToArray();
        return (batches.SelectMany(b => b.Pixels).ToArray(), batches.SelectMany(b => b.Labels).ToArray());
    }

    /// <summary>Reads one batch file: labels and channel-first pixels.</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">Its length is not a whole number of records, or a label is above 9.</exception>
    public static (byte[] Pixels, byte[] Labels) ReadBatch(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CIFAR-10 batch file '{path}' is missing.", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0 || bytes.Length % RecordSize != 0)
            throw new InvalidDataException($"'{path}' is not a CIFAR-10 binary batch: {bytes.Length} bytes is not a whole number of {RecordSize}-byte records.");
        int count = bytes.Length / RecordSize;
        var labels = new byte[count];
        var pixels = new byte[count * (RecordSize - 1)];
        for (int i = 0; i < count; i++)
        {
            labels[i] = bytes[i * RecordSize];
            if (labels[i] > 9)
                throw new InvalidDataException($"'{path}' record {i + 1} has label {labels[i]}; CIFAR-10 labels are 0–9.");
            Buffer.BlockCopy(bytes, i * RecordSize + 1, pixels, i * (RecordSize - 1), RecordSize - 1);
        }
        return (pixels, labels);
    }
}
