using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLToolkit.Trainers.Persistence;
using MLToolkit.Trainers.Segmentation;

namespace MLToolkit;

/// <summary>
/// Semantic segmentation in an <see cref="MLContext"/>: <c>ml.Segmentation().Trainers.Cnn(options)</c> and
/// <c>ml.Segmentation().Evaluate(scored, classes)</c>. ML.NET has no segmentation catalog of its own.
/// </summary>
public sealed class SegmentationCatalog
{
    internal SegmentationCatalog(IHostEnvironment environment) => Trainers = new SegmentationTrainers(environment);

    /// <summary>The segmentation trainers.</summary>
    public SegmentationTrainers Trainers { get; }

    /// <summary>Pixel accuracy, mean class accuracy, per-class IoU and mean IoU of a scored data view (see <see cref="SegmentationMetrics"/>).</summary>
    public SegmentationMetrics Evaluate(IDataView data, int classes, string maskColumnName = Datasets.Segmentation.SegmentationData.Mask,
        string predictedMaskColumnName = "PredictedMask") =>
        SegmentationMetrics.Evaluate(data, classes, maskColumnName, predictedMaskColumnName);

    /// <summary>The segmentation trainers of a catalog.</summary>
    public sealed class SegmentationTrainers
    {
        readonly IHostEnvironment _environment;

        internal SegmentationTrainers(IHostEnvironment environment) => _environment = environment;

        /// <summary>A trainer of a segmentation network (U-Net by default, or FCN; see <see cref="SegmentationNetworks"/>).</summary>
        public SegmentationTrainer Cnn(SegmentationOptions options) => new(_environment, options);
    }
}

/// <summary>Reaches the segmentation catalog of an <see cref="MLContext"/>.</summary>
public static class SegmentationCatalogExtensions
{
    /// <summary>The segmentation trainers and metrics of <paramref name="ml"/> (seeded by its seed).</summary>
    public static SegmentationCatalog Segmentation(this MLContext ml) => new(MlNetInternals.EnvironmentOf(ml.Transforms));
}

/// <summary>The segmentation network designs: FCN-32s, -16s, -8s and U-Net.</summary>
public static class SegmentationNetworks
{
    /// <summary>FCN with scores at 1/32 upsampled in one step.</summary>
    public static Fcn Fcn32s() => new(Stride: 32);

    /// <summary>FCN with pool4's skip.</summary>
    public static Fcn Fcn16s() => new(Stride: 16);

    /// <summary>FCN with pool4's and pool3's skips.</summary>
    public static Fcn Fcn8s() => new(Stride: 8);

    /// <summary>FCN with skips from every stage and from the input itself: full-resolution boundaries.</summary>
    public static Fcn Fcn1s() => new(Stride: 1);

    /// <summary>U-Net with four levels (16, 32, 64, 128 channels) and a 256-channel bottleneck.</summary>
    public static UNet UNet() => new();

    /// <summary>A feature pyramid decoder on FCN's backbone: features, not scores, flow down the skips.</summary>
    public static Fpn Fpn() => new();

    /// <summary>The names <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fcn1s", "fcn8s", "fcn16s", "fcn32s", "fpn", "unet"];

    /// <summary>The design named <paramref name="name"/> (fcn1s, fcn2s, fcn4s, fcn8s, fcn16s, fcn32s, fpn, unet).</summary>
    /// <exception cref="KeyNotFoundException">An unknown name; the message lists the known ones.</exception>
    public static ISegmentationArchitecture Create(string name) => name.ToLowerInvariant() switch
    {
        "unet" => UNet(),
        "fpn" => Fpn(),
        "fcn1s" or "fcn2s" or "fcn4s" => new Fcn(Stride: int.Parse(name[3..^1])),
        "fcn8s" => Fcn8s(),
        "fcn16s" => Fcn16s(),
        "fcn32s" => Fcn32s(),
        _ => throw new KeyNotFoundException($"Unknown segmentation network '{name}'. Known: {string.Join(", ", Names)}."),
    };
}
