using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Optimization;
using MLToolkit.Trainers.LearningRates;
using MLToolkit.Trainers.Training;

namespace MLToolkit;

/// <summary>
/// Settings of a CNN trainer. The defaults train the classic MNIST CNN well; every setting is
/// checked when the trainer is created (<see cref="Validate"/>).
/// </summary>
public sealed class CnnOptions
{
    /// <summary>The image column: a float vector whose shape C×H×W is recorded in its vector type.</summary>
    public string FeatureColumnName { get; set; } = ImageColumns.Image;

    /// <summary>The label column: a key type (use MapValueToKey before the trainer).</summary>
    public string LabelColumnName { get; set; } = ImageColumns.Label;

    /// <summary>The image shape, when the column does not record it.</summary>
    public ImageShape? ImageShape { get; set; }

    /// <summary>The network design.</summary>
    public IArchitecture Architecture { get; set; } = MLToolkit.Architectures.MnistClassic();

    /// <summary>
    /// Where the network's features start: null trains from random weights; e.g.
    /// <see cref="PretrainedWeights.ImageNetResNet18"/> with <c>Architectures.ResNet(18)</c> starts from
    /// ImageNet (transfer learning) and gives the network a new head for your classes.
    /// </summary>
    public PretrainedWeights? Pretrained { get; set; }

    /// <summary>Epochs at the start during which only the head learns (the backbone's weights and batch-norm statistics stay as they are).</summary>
    public int FreezeBackboneEpochs { get; set; }

    /// <summary>
    /// Share of the backbone, from the input on, that stays frozen after <see cref="FreezeBackboneEpochs"/>:
    /// the early layers compute generic edges and textures that a small dataset cannot improve, and not
    /// propagating gradients through them (at the highest resolutions) makes each step much cheaper.
    /// 0 fine-tunes the whole backbone; 1 never trains it.
    /// </summary>
    public double FrozenBackboneShare { get; set; }

    /// <summary>
    /// Keep the backbone's batch-norm layers on their (pretrained) running statistics for the whole run,
    /// also while fine-tuning: batches of a few dozen photos give noisy statistics that would replace
    /// ImageNet's. Their scale and shift still learn.
    /// </summary>
    public bool FreezeBackboneBatchNorm { get; set; }

    /// <summary>The backbone's learning rate as a share of the head's (fine-tuning pretrained features gently); 1 trains both alike.</summary>
    public double BackboneLearningRateFactor { get; set; } = 1;

    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Images per optimizer step.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>The optimizer and its base learning rate.</summary>
    public OptimizerSpec Optimizer { get; set; } = Optimizers.Adam(1e-3);

    /// <summary>How the learning rate changes during training.</summary>
    public ILearningRateSchedule LearningRateSchedule { get; set; } = new ConstantRate();

    /// <summary>L1/L2 weight penalties, label smoothing and gradient clipping; none by default.</summary>
    public Regularization Regularization { get; set; } = new();

    /// <summary>
    /// Seed of weights, shuffling and dropout; null takes one from the <c>MLContext</c>'s seed. A run gives the
    /// same weights whatever else the process does: <c>Fit</c> calls on several threads take turns (torch's
    /// generator for initialisation and dropout, and its thread count, are process-wide), so each trains as it would alone.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>CPU threads for tensor operations; null uses every core.</summary>
    public int? Threads { get; set; }

    /// <summary>
    /// Mixed precision: each batch is computed in bfloat16 while the optimizer updates float32 weights, and the trained
    /// network is float32 as always (scoring, saving and ONNX export do not change). About 1.75× the training speed on
    /// CPUs with AVX-512 BF16 (measured on the recipe network; see BENCHMARKS.md). Only where it pays: on a machine where
    /// <see cref="Trainers.Backend.BFloat16Speed.IsFast"/> is false (no bfloat16 instructions, or oneDNN off) bfloat16 is
    /// many times slower than float32, and the network trains in float32 exactly as without this option
    /// (<see cref="Trainers.Backend.BFloat16Speed.SlowReason"/> says why). Results differ slightly from float32 training,
    /// and are as reproducible. Off by default.
    /// </summary>
    public bool MixedPrecision { get; set; }

    /// <summary>Device: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Images per forward pass when scoring.</summary>
    public int PredictionBatchSize { get; set; } = 256;

    /// <summary>Validation rows (same columns as the training data): reported each epoch, they drive early stopping and reduce-on-plateau.</summary>
    public Microsoft.ML.IDataView? ValidationData { get; set; }

    /// <summary>Instead of <see cref="ValidationData"/>: a random share of the training rows (seeded) held out for validation.</summary>
    public double? ValidationFraction { get; set; }

    /// <summary>Stop after this many epochs without improvement of the validation loss (training loss without validation), then restore the best epoch's weights; null trains every epoch.</summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>
    /// Folder where the state after each epoch is written atomically; a run killed and started again
    /// with the same options resumes from the last finished epoch. Null keeps no checkpoints.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Hooks into the training loop: progress display, and more.</summary>
    public IList<ITrainingCallback> Callbacks { get; set; } = new List<ITrainingCallback>();

    /// <summary>Stops training between two batches when cancelled.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it and the allowed range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(FeatureColumnName)) throw new ArgumentException("CnnOptions.FeatureColumnName must name a column.", nameof(FeatureColumnName));
        if (string.IsNullOrWhiteSpace(LabelColumnName)) throw new ArgumentException("CnnOptions.LabelColumnName must name a column.", nameof(LabelColumnName));
        if (Architecture is null) throw new ArgumentException("CnnOptions.Architecture must be set.", nameof(Architecture));
        if (Epochs < 1) throw new ArgumentException($"CnnOptions.Epochs must be >= 1; it is {Epochs}.", nameof(Epochs));
        if (FreezeBackboneEpochs < 0 || FreezeBackboneEpochs > Epochs)
            throw new ArgumentException($"CnnOptions.FreezeBackboneEpochs must be in [0, Epochs = {Epochs}]; it is {FreezeBackboneEpochs}.", nameof(FreezeBackboneEpochs));
        if (FrozenBackboneShare is < 0 or > 1 || double.IsNaN(FrozenBackboneShare))
            throw new ArgumentException($"CnnOptions.FrozenBackboneShare must be in [0, 1]; it is {FrozenBackboneShare}.", nameof(FrozenBackboneShare));
        if (!(BackboneLearningRateFactor > 0 && BackboneLearningRateFactor <= 1))
            throw new ArgumentException($"CnnOptions.BackboneLearningRateFactor must be in (0, 1]; it is {BackboneLearningRateFactor}.", nameof(BackboneLearningRateFactor));
        if (BatchSize < 1) throw new ArgumentException($"CnnOptions.BatchSize must be >= 1; it is {BatchSize}.", nameof(BatchSize));
        if (PredictionBatchSize < 1) throw new ArgumentException($"CnnOptions.PredictionBatchSize must be >= 1; it is {PredictionBatchSize}.", nameof(PredictionBatchSize));
        if (Optimizer is null) throw new ArgumentException("CnnOptions.Optimizer must be set.", nameof(Optimizer));
        if (Regularization is null) throw new ArgumentException("CnnOptions.Regularization must be set (use new Regularization() for none).", nameof(Regularization));
        if (LearningRateSchedule is null) throw new ArgumentException("CnnOptions.LearningRateSchedule must be set.", nameof(LearningRateSchedule));
        if (Threads is < 1) throw new ArgumentException($"CnnOptions.Threads must be >= 1 or null; it is {Threads}.", nameof(Threads));
        if (ImageShape is { } s && (s.Channels < 1 || s.Height < 1 || s.Width < 1))
            throw new ArgumentException($"CnnOptions.ImageShape must have positive sizes; it is {s}.", nameof(ImageShape));
        if (ValidationFraction is { } f && !(f > 0 && f < 1))
            throw new ArgumentException($"CnnOptions.ValidationFraction must be in (0, 1) or null; it is {f}.", nameof(ValidationFraction));
        if (ValidationFraction is not null && ValidationData is not null)
            throw new ArgumentException("Set CnnOptions.ValidationData or CnnOptions.ValidationFraction, not both.", nameof(ValidationFraction));
        if (EarlyStoppingPatience is < 1)
            throw new ArgumentException($"CnnOptions.EarlyStoppingPatience must be >= 1 or null; it is {EarlyStoppingPatience}.", nameof(EarlyStoppingPatience));
        var device = (Device ?? "").Trim().ToLowerInvariant();
        if (device != "cpu" && device != "cuda" && !device.StartsWith("cuda:", StringComparison.Ordinal))
            throw new ArgumentException($"CnnOptions.Device must be \"cpu\", \"cuda\" or \"cuda:N\"; it is \"{Device}\".", nameof(Device));
    }

    /// <summary>A shallow copy, for a trainer that must vary one setting (e.g. the seed of an ensemble member).</summary>
    public CnnOptions Clone()
    {
        var copy = (CnnOptions)MemberwiseClone();
        copy.Callbacks = new List<ITrainingCallback>(Callbacks);
        // A stateful schedule must not be shared between two training runs.
        if (LearningRateSchedule is ReduceOnPlateau plateau) copy.LearningRateSchedule = plateau.Clone();
        return copy;
    }
}
