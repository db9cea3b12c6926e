using MLToolkit.Datasets.Images;
using MLToolkit.Datasets.Segmentation;
using MLToolkit.Trainers.Augmentation;

namespace MLToolkit.Trainers.Segmentation;

/// <summary>
/// Settings of a segmentation trainer: the columns, the classes, the network design, the augmentation of
/// image and mask together, and — in <see cref="Training"/> — the same training settings a CNN classifier
/// takes (epochs, batch, optimizer, schedule, seed, threads, device, checkpoints, validation, callbacks).
/// </summary>
public sealed class SegmentationOptions
{
    /// <summary>The image column (float vector with its C×H×W shape).</summary>
    public string FeatureColumnName { get; set; } = ImageColumns.Image;

    /// <summary>The mask column: H×W class indices (UInt32), 255 for "ignore".</summary>
    public string MaskColumnName { get; set; } = SegmentationData.Mask;

    /// <summary>The column the transformer adds: the predicted class of every pixel (H×W UInt32).</summary>
    public string PredictedMaskColumnName { get; set; } = "PredictedMask";

    /// <summary>Also add the per-class probabilities of every pixel (classes × H × W floats) as this column; null for none.</summary>
    public string? ScoresColumnName { get; set; }

    /// <summary>Number of classes, background included (MNIST scenes: 11; Pascal VOC: 21).</summary>
    public int Classes { get; set; }

    /// <summary>Class names in index order (saved with the model), or null.</summary>
    public IReadOnlyList<string>? ClassNames { get; set; }

    /// <summary>The network design (default: a U-Net).</summary>
    public ISegmentationArchitecture Architecture { get; set; } = new UNet();

    /// <summary>Flip, shift and scale applied to image and mask together during training; null for none.</summary>
    public SceneAugmentation? Augmentation { get; set; } = new();

    /// <summary>Training settings as for a classifier; its Architecture, columns and transfer-learning settings are not used.</summary>
    public CnnOptions Training { get; set; } = new() { Epochs = 10, BatchSize = 32 };

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range, naming it.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(FeatureColumnName) || string.IsNullOrWhiteSpace(MaskColumnName) || string.IsNullOrWhiteSpace(PredictedMaskColumnName))
            throw new ArgumentException("SegmentationOptions: the image, mask and predicted mask columns must be named.");
        if (Classes is < 2 or > 255) throw new ArgumentException($"SegmentationOptions.Classes must be in [2, 255] (255 means ignore); it is {Classes}.", nameof(Classes));
        if (ClassNames is not null && ClassNames.Count != Classes)
            throw new ArgumentException($"SegmentationOptions.ClassNames has {ClassNames.Count} names for {Classes} classes.", nameof(ClassNames));
        if (Architecture is null) throw new ArgumentException("SegmentationOptions.Architecture must be set.", nameof(Architecture));
        Augmentation?.Validate();
        if (Training is null) throw new ArgumentException("SegmentationOptions.Training must be set.", nameof(Training));
        Training.Validate();
    }
}
