using Microsoft.ML;
using MLToolkit.Datasets.Idx;
using MLToolkit.Datasets.Images;

namespace MLToolkit.Datasets.Mnist;

/// <summary>
/// Loads a dataset laid out like MNIST: four IDX files (train/t10k × images/labels), each either
/// gzip-compressed (<c>.gz</c>) or raw, in one folder.
/// </summary>
public static class IdxDataset
{
    /// <summary>Loads the training and test splits from <paramref name="directory"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the four files is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or image and label counts differ.</exception>
    public static (IDataView Train, IDataView Test) Load(MLContext ml, string directory)
    {
        ArgumentNullException.ThrowIfNull(ml);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Dataset folder not found: '{Path.GetFullPath(directory)}'.");
        return (LoadSplit(ml, directory, "train"), LoadSplit(ml, directory, "t10k"));
    }

    /// <summary>Loads one split (<c>train</c> or <c>t10k</c>) from <paramref name="directory"/>.</summary>
    public static IDataView LoadSplit(MLContext ml, string directory, string split)
    {
        var imagesPath = Find(directory, $"{split}-images-idx3-ubyte");
        var labelsPath = Find(directory, $"{split}-labels-idx1-ubyte");
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath);
        if (images.Count != labels.Length)
            throw new InvalidDataException(
                $"'{imagesPath}' holds {images.Count} images but '{labelsPath}' holds {labels.Length} labels; they must match.");
        return ImageDataView.FromBytes(ml, images.Pixels, labels, new ImageShape(1, images.Rows, images.Columns));
    }

    /// <summary>The path of <paramref name="name"/> in <paramref name="directory"/>, compressed or raw.</summary>
    static string Find(string directory, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        var expected = Path.Combine(Path.GetFullPath(directory), name + ".gz");
        throw new FileNotFoundException($"IDX file not found: '{expected}' (or its uncompressed form).", expected);
    }
}
