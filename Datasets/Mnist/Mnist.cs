using System.Security.Cryptography;
using Microsoft.ML;

namespace MLToolkit.Datasets.Mnist;

/// <summary>
/// The MNIST handwritten digits (LeCun, Cortes, Burges): 60,000 training and 10,000 test images of
/// 1×28×28, labels 0–9. A copy ships with this package under <c>data/mnist/</c>.
/// </summary>
public static class Mnist
{
    /// <summary>SHA-256 of the four official files; the vendored copy is checked against them on every load.</summary>
    public static readonly IReadOnlyDictionary<string, string> Sha256 = new Dictionary<string, string>
    {
        ["train-images-idx3-ubyte.gz"] = "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        ["train-labels-idx1-ubyte.gz"] = "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        ["t10k-images-idx3-ubyte.gz"] = "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        ["t10k-labels-idx1-ubyte.gz"] = "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    };

    /// <summary>
    /// The folder of the vendored copy: next to the application's assemblies (an app's build), else next
    /// to this assembly (a notebook or script that references the built DLL), else in this package's
    /// content files (<c>contentFiles/any/any/data/mnist</c>, when loaded from the NuGet cache). Never
    /// the entry program's folder alone: in a notebook that is the kernel's own.
    /// </summary>
    public static string VendoredDirectory => Candidates().FirstOrDefault(d => File.Exists(Path.Combine(d, "train-images-idx3-ubyte.gz")))
                                              ?? Candidates().First();

    static IEnumerable<string> Candidates()
    {
        yield return Path.Combine(AppContext.BaseDirectory, "data", "mnist");
        var assembly = Path.GetDirectoryName(typeof(Mnist).Assembly.Location);
        if (string.IsNullOrEmpty(assembly)) yield break;
        yield return Path.Combine(assembly, "data", "mnist");
        yield return Path.GetFullPath(Path.Combine(assembly, "..", "..", "contentFiles", "any", "any", "data", "mnist"));
    }

    /// <summary>
    /// Loads the vendored MNIST after checking each file's SHA-256. Columns: <c>Image</c>
    /// (784 floats in [0, 1], shape 1×28×28 recorded on the column) and <c>Label</c> (the digit).
    /// </summary>
    /// <exception cref="InvalidDataException">A vendored file does not have its official checksum.</exception>
    public static (IDataView Train, IDataView Test) Load(MLContext ml)
    {
        VerifyChecksums(VendoredDirectory);
        return IdxDataset.Load(ml, VendoredDirectory);
    }

    /// <summary>Loads MNIST from the four IDX files (gzip or raw) in <paramref name="directory"/>.</summary>
    public static (IDataView Train, IDataView Test) Load(MLContext ml, string directory) => IdxDataset.Load(ml, directory);

    /// <summary>Checks the four official files in <paramref name="directory"/> against <see cref="Sha256"/>.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file's checksum differs.</exception>
    public static void VerifyChecksums(string directory)
    {
        foreach (var (file, expected) in Sha256)
        {
            var path = Path.Combine(directory, file);
            if (!File.Exists(path))
                throw new FileNotFoundException($"MNIST file not found: '{path}'.", path);
            using var stream = File.OpenRead(path);
            var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (actual != expected)
                throw new InvalidDataException($"'{path}' has SHA-256 {actual}; the official file has {expected}. The copy is damaged.");
        }
    }
}
