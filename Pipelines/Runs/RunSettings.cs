namespace MLToolkit.Pipelines.Runs;

/// <summary>What the user asked for on the command line; null means "the experiment's choice".</summary>
/// <param name="Epochs">Override of the number of epochs.</param>
/// <param name="BatchSize">Override of the batch size.</param>
/// <param name="LearningRate">Override of the optimizer's base learning rate.</param>
/// <param name="Seed">Seed of the <c>MLContext</c> (and so of every trainer).</param>
/// <param name="DataDirectory">Folder of a dataset that is not vendored.</param>
/// <param name="OutputRoot">Folder in which the run folder is created.</param>
/// <param name="TrainRows">Use only the first N training rows (quick runs and tests).</param>
/// <param name="TestRows">Use only the first N test rows.</param>
/// <param name="ImageSize">Side of the square images the images experiment resizes to; null: the experiment's choice.</param>
/// <param name="Channels">Channels of those images: 1 grey, 3 RGB.</param>
/// <param name="ResumeFrom">Checkpoint folder of an interrupted run to continue from (its <c>checkpoints/</c>).</param>
/// <param name="Architecture">Override of the network: a zoo name such as resnet20 (see <c>list</c>).</param>
/// <param name="FromScratch">images: train from random weights instead of the ImageNet start.</param>
/// <param name="Strict">images: refuse unreadable files and empty class folders instead of warning.</param>
/// <param name="TrainFolder">images: explicit training folder (of class subfolders).</param>
/// <param name="ValidationFolder">images: explicit validation folder.</param>
/// <param name="TestFolder">images: explicit test folder.</param>
/// <param name="KeepCheckpoints">Keep the per-epoch checkpoints after a successful run.</param>
/// <param name="MixedPrecision">Override of mixed-precision (bfloat16) training: true on, false float32, null the experiment's choice.</param>
public sealed record RunSettings(
    int? Epochs = null, int? BatchSize = null, double? LearningRate = null, int Seed = 1,
    string? DataDirectory = null, string OutputRoot = "runs", int? TrainRows = null, int? TestRows = null,
    string? Architecture = null, int? ImageSize = null, int Channels = 3, string? ResumeFrom = null,
    bool FromScratch = false, bool Strict = false, string? TrainFolder = null, string? ValidationFolder = null, string? TestFolder = null,
    bool KeepCheckpoints = false, bool? MixedPrecision = null);
