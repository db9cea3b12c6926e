using MLToolkit.Datasets.Detection;
using MLToolkit.Datasets.Images;

namespace MLToolkit.Trainers.Detection;

/// <summary>
/// Settings of a detection trainer: ML.NET's detection columns (an image, a key vector of labels and a vector of
/// boxes as xmin, ymin, xmax, ymax per object), the classes, the network design, how detections are decoded, and
/// — in <see cref="Training"/> — the training settings a CNN classifier takes.
/// </summary>
public sealed class DetectionOptions
{
    /// <summary>The image column (float vector with its C×H×W shape).</summary>
    public string FeatureColumnName { get; set; } = ImageColumns.Image;

    /// <summary>The labels column: a vector of keys, one per object.</summary>
    public string LabelsColumnName { get; set; } = DetectionData.Labels;

    /// <summary>The boxes column: four floats per object (xmin, ymin, xmax, ymax in pixels).</summary>
    public string BoxesColumnName { get; set; } = DetectionData.Boxes;

    /// <summary>The column of predicted labels the transformer adds (key vector, one per detection).</summary>
    public string PredictedLabelsColumnName { get; set; } = "PredictedLabels";

    /// <summary>The column of predicted boxes (four floats per detection).</summary>
    public string PredictedBoxesColumnName { get; set; } = "PredictedBoxes";

    /// <summary>The column of detection scores (one float per detection, highest first).</summary>
    public string ScoresColumnName { get; set; } = "Scores";

    /// <summary>Number of classes (no background class: the objectness output says whether a cell holds an object).</summary>
    public int Classes { get; set; }

    /// <summary>Class names in index order (saved with the model), or null.</summary>
    public IReadOnlyList<string>? ClassNames { get; set; }

    /// <summary>The network design.</summary>
    public IDetectionArchitecture Architecture { get; set; } = new GridDetector();

    /// <summary>Flip, zoom and shift of image and boxes together while training (see <see cref="BoxAugmentation"/>); null for none.</summary>
    public BoxAugmentation? Augmentation { get; set; }

    /// <summary>Detections scored below this are dropped before non-maximum suppression.</summary>
    public float MinScore { get; set; } = 0.05f;

    /// <summary>Overlap above which the lower-scored of two detections of a class is dropped.</summary>
    public float IouThreshold { get; set; } = 0.5f;

    /// <summary>Most detections kept per image.</summary>
    public int MaxDetections { get; set; } = 100;

    /// <summary>Training settings as for a classifier; its Architecture, columns and transfer-learning settings are not used.</summary>
    public CnnOptions Training { get; set; } = new() { Epochs = 10, BatchSize = 32 };

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range, naming it.</exception>
    public void Validate()
    {
        if (new[] { FeatureColumnName, LabelsColumnName, BoxesColumnName, PredictedLabelsColumnName, PredictedBoxesColumnName, ScoresColumnName }.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("DetectionOptions: every column must be named.");
        if (Classes < 1) throw new ArgumentException($"DetectionOptions.Classes must be at least 1; it is {Classes}.", nameof(Classes));
        if (ClassNames is not null && ClassNames.Count != Classes)
            throw new ArgumentException($"DetectionOptions.ClassNames has {ClassNames.Count} names for {Classes} classes.", nameof(ClassNames));
        if (Architecture is null) throw new ArgumentException("DetectionOptions.Architecture must be set.", nameof(Architecture));
        if (MinScore is < 0 or >= 1) throw new ArgumentException($"DetectionOptions.MinScore must be in [0, 1); it is {MinScore}.", nameof(MinScore));
        if (IouThreshold is <= 0 or > 1) throw new ArgumentException($"DetectionOptions.IouThreshold must be in (0, 1]; it is {IouThreshold}.", nameof(IouThreshold));
        if (MaxDetections < 1) throw new ArgumentException($"DetectionOptions.MaxDetections must be at least 1; it is {MaxDetections}.", nameof(MaxDetections));
        Augmentation?.Validate();
        if (Training is null) throw new ArgumentException("DetectionOptions.Training must be set.", nameof(Training));
        Training.Validate();
    }
}
