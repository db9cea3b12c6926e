using Microsoft.ML;
using MLToolkit.Trainers.Training;

namespace MLToolkit.UnitTests.Trainers;

public class TrainingControlTests
{
    static IEstimator<ITransformer> Pipeline(MLContext ml, CnnOptions options) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Augment("Image", Augmentations.RandomAffine(10, 0.1)))
            .Append(ml.MulticlassClassification.Trainers.Cnn(options));

    [Fact]
    public void Validation_fraction_reports_validation_metrics_each_epoch()
    {
        var epochs = new List<EpochSummary>();
        var ml = new MLContext(seed: 4);
        Pipeline(ml, new CnnOptions
        {
            Epochs = 2, BatchSize = 50, ValidationFraction = 0.2,
            Callbacks = { new ProgressCallback(onEpoch: (_, s) => epochs.Add(s)) },
        }).Fit(TestData.Train(ml, 1000));
        Assert.Equal(2, epochs.Count);
        Assert.All(epochs, e => Assert.NotNull(e.ValidationLoss));
        Assert.True(epochs[1].ValidationAccuracy > 0.6);
    }

    [Fact]
    public void Early_stopping_stops_and_restores_the_best_weights()
    {
        using var network = TorchSharp.torch.nn.Linear(3, 2);
        var stopping = new EarlyStopping(patience: 2);
        Assert.False(stopping.Observe(1.0, network));
        Assert.False(stopping.Observe(0.5, network));
        var best = Weights.ToBytes(network);
        using (TorchSharp.torch.no_grad()) network.weight!.add_(1);
        Assert.False(stopping.Observe(0.6, network));
        Assert.True(stopping.Observe(0.7, network));
        stopping.RestoreBest(network);
        Assert.Equal(best, Weights.ToBytes(network));
    }

    [Fact]
    public void Early_stopping_ends_training_before_the_last_epoch()
    {
        var epochs = new List<EpochSummary>();
        var ml = new MLContext(seed: 4);
        // A learning rate this high makes the validation loss stop improving quickly.
        Pipeline(ml, new CnnOptions
        {
            Epochs = 30, BatchSize = 100, ValidationFraction = 0.3, EarlyStoppingPatience = 1,
            Optimizer = Optimizers.SgdMomentum(learningRate: 0.3),
            Callbacks = { new ProgressCallback(onEpoch: (_, s) => epochs.Add(s)) },
        }).Fit(TestData.Train(ml, 600));
        Assert.InRange(epochs.Count, 2, 29);
    }

    /// <summary>With mixed precision too: the resumed run rebuilds its bfloat16 copy from the checkpoint's weights.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Killed_run_resumes_from_its_checkpoint_and_ends_as_an_uninterrupted_one(bool mixedPrecision)
    {
        var train = TestData.Train(new MLContext(), 800);
        var test = TestData.Test(new MLContext(), 100);
        CnnOptions Options(string? directory, CancellationToken token = default) => new()
        {
            Epochs = 3, BatchSize = 50, Seed = 21, CheckpointDirectory = directory, CancellationToken = token,
            Architecture = Architectures.MnistBestCnn(), MixedPrecision = mixedPrecision,
        };
        float[][] Scores(ITransformer model) => model.Transform(test).GetColumn<float[]>("Score").ToArray();

        var ml = new MLContext(seed: 1);
        var uninterrupted = Scores(Pipeline(ml, Options(null)).Fit(train));

        var directory = TestData.TempDirectory();
        using var kill = new CancellationTokenSource();
        var options = Options(directory, kill.Token);
        options.Callbacks.Add(new ProgressCallback(onEpoch: (p, _) => { if (p.Epoch == 2) kill.Cancel(); }));
        Assert.ThrowsAny<OperationCanceledException>(() => Pipeline(ml, options).Fit(train));
        Assert.True(File.Exists(Path.Combine(directory, "model-1.checkpoint")));

        var resumedEpochs = new List<int>();
        var again = Options(directory);
        again.Callbacks.Add(new ProgressCallback(onEpoch: (_, s) => resumedEpochs.Add(s.Epoch)));
        var resumed = Scores(Pipeline(ml, again).Fit(train));
        Assert.Equal([3], resumedEpochs);
        Assert.Equal(uninterrupted, resumed);
    }

    [Fact]
    public void Checkpoint_of_another_configuration_is_refused_and_kept()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Train(ml, 300);
        var directory = TestData.TempDirectory();
        Pipeline(ml, new CnnOptions { Epochs = 1, BatchSize = 50, Seed = 3, CheckpointDirectory = directory }).Fit(train);
        var file = Path.Combine(directory, "model-1.checkpoint");
        var before = File.ReadAllBytes(file);
        var error = Assert.Throws<InvalidOperationException>(() =>
            Pipeline(ml, new CnnOptions { Epochs = 1, BatchSize = 25, Seed = 3, CheckpointDirectory = directory }).Fit(train));
        Assert.Contains("differently configured", error.Message);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public void Checkpoint_of_another_schedule_parameter_or_augmentation_is_refused()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Train(ml, 200);
        var directory = TestData.TempDirectory();
        CnnOptions Options() => new() { Epochs = 1, BatchSize = 50, Seed = 3, CheckpointDirectory = directory,
            LearningRateSchedule = MLToolkit.Schedules.StepDecay(everyEpochs: 3, factor: 0.5) };
        Pipeline(ml, Options()).Fit(train);

        // StepDecay(3, …) → StepDecay(5, …): the same schedule type, other parameters.
        var other = Options();
        other.LearningRateSchedule = MLToolkit.Schedules.StepDecay(everyEpochs: 5, factor: 0.5);
        Assert.Contains("differently configured", Assert.Throws<InvalidOperationException>(() => Pipeline(ml, other).Fit(train)).Message);

        // Another augmentation policy in front of the same trainer.
        var otherAugmentation = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Augment("Image", Augmentations.RandomAffine(20, 0.1)))
            .Append(ml.MulticlassClassification.Trainers.Cnn(Options()));
        Assert.Contains("differently configured", Assert.Throws<InvalidOperationException>(() => otherAugmentation.Fit(train)).Message);
    }

    [Fact]
    public void A_damaged_checkpoint_is_refused_by_name_and_left_in_place()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Train(ml, 200);
        var directory = TestData.TempDirectory();
        CnnOptions Options() => new() { Epochs = 1, BatchSize = 50, Seed = 3, CheckpointDirectory = directory };
        Pipeline(ml, Options()).Fit(train);
        var file = Path.Combine(directory, "model-1.checkpoint");
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x40; // one flipped bit in the weights
        File.WriteAllBytes(file, bytes);

        var error = Assert.Throws<InvalidDataException>(() => Pipeline(ml, Options()).Fit(train));
        Assert.Contains(file, error.Message);
        Assert.Contains("SHA-256 does not match", error.Message);
        Assert.Equal(bytes, File.ReadAllBytes(file));

        File.WriteAllBytes(file, bytes[..(bytes.Length / 3)]); // and a truncated one
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Pipeline(ml, Options()).Fit(train)).Message);
    }
}
