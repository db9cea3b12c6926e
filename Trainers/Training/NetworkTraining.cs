using Microsoft.ML;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Backend;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Trainers.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Training;

/// <summary>
/// One network's training from an <see cref="IDataView"/>: the data read into tensors, the seed, the
/// checkpoint, the loop; shared by the classifiers and the segmenters, which differ in their task.
/// </summary>
internal static class NetworkTraining
{
    /// <summary>
    /// Trains one network of <paramref name="architecture"/> with <paramref name="options"/> and <paramref name="seed"/>
    /// on the rows <paramref name="read"/> takes from <paramref name="input"/>, for <paramref name="task"/>.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Train(IDataView input, CnnOptions options, IArchitecture architecture, ImageShape shape, int seed,
        (int Index, int Count) model, ITrainingTask task, Func<IDataView, TensorDataset> read, out IReadOnlyList<EpochSummary> history)
    {
        // Weight initialisation draws from torch's one global generator, and the thread count is process-wide: a
        // training alone holds the gate for its whole run, so concurrent Fit calls take turns and each gives what it
        // gives alone. Members of a group (MemberGroup) run side by side; the group holds the gate for them and they
        // take turns only to build their networks.
        if (MemberGroup.Current is { } group)
            return TrainHoldingGate(input, options, architecture, shape, seed, model, task, read, group.BuildGate, out history);
        lock (TorchRuntime.TrainingGate)
        {
            TorchRuntime.SetThreads(options.Threads ?? Environment.ProcessorCount);
            return TrainHoldingGate(input, options, architecture, shape, seed, model, task, read, new object(), out history);
        }
    }

    static nn.Module<Tensor, Tensor> TrainHoldingGate(IDataView input, CnnOptions options, IArchitecture architecture, ImageShape shape,
        int seed, (int Index, int Count) model, ITrainingTask task, Func<IDataView, TensorDataset> read, object buildGate,
        out IReadOnlyList<EpochSummary> history)
    {
        var device = TorchRuntime.ResolveDevice(options.Device);
        var (train, validation) = ReadData(input, options, read, seed);
        try
        {
            nn.Module<Tensor, Tensor> network;
            lock (buildGate)
            {
                // The seed fixes the initial weights; the run's own streams (TrainingLoop) fix shuffling,
                // augmentation and the layers' draws.
                torch.manual_seed(seed);
                network = architecture.Build(shape, train.Classes);
            }
            try
            {
                options.Pretrained?.LoadInto(network, shape);
                network.to(device);
                // Mixed precision only where bfloat16 is fast: elsewhere it would be many times slower than float32.
                bool mixed = options.MixedPrecision && BFloat16Speed.IsFast(options.Device);
                var checkpoint = options.CheckpointDirectory is { } directory
                    ? Checkpoint.For(directory, model.Index, Fingerprint(options, seed, train.Count, validation?.Count, task.AugmentationDescription))
                    : null;
                // The bfloat16 copy is built under the gate too: its initial draws would otherwise fall between another
                // member's seed and build.
                var run = new TrainingRun(train, validation, task, seed, device, model, checkpoint,
                    () => { lock (buildGate) return architecture.Build(shape, train.Classes); }, mixed);
                history = TrainingLoop.Run(network, options, run);
            }
            catch
            {
                network.Dispose();
                throw;
            }
            return network;
        }
        finally
        {
            train.Dispose();
            validation?.Dispose();
        }
    }

    static (TensorDataset Train, TensorDataset? Validation) ReadData(IDataView input, CnnOptions options, Func<IDataView, TensorDataset> read, int seed)
    {
        var all = read(input);
        if (options.ValidationData is { } validationData)
            return (all, read(validationData));
        if (options.ValidationFraction is not { } fraction)
            return (all, null);
        using (all) return all.Split(fraction, seed);
    }

    /// <summary>
    /// What must match for a checkpoint to be resumed: every setting that shapes the run — the design,
    /// the schedule with its parameters (not only its type), the augmentation policy, the data's and the
    /// validation data's sizes, the optimizer, regularisation, seed and transfer-learning settings. Mixed precision
    /// counts as asked for, not as used: the weights and optimizer state are float32 either way, so a run checkpointed
    /// where bfloat16 is fast resumes where it is not (and the other way round).
    /// </summary>
    static string Fingerprint(CnnOptions options, int seed, long rows, long? validationRows, string? augmentation) => string.Join("|",
        options.Architecture.Name, ArchitectureRegistry.ToJson(options.Architecture), options.Epochs, options.BatchSize,
        options.Optimizer, options.Regularization, options.LearningRateSchedule.GetType().Name,
        System.Text.Json.JsonSerializer.Serialize(options.LearningRateSchedule, options.LearningRateSchedule.GetType()),
        augmentation ?? "no augmentation", validationRows?.ToString() ?? "no validation", seed, rows,
        options.ValidationFraction, options.EarlyStoppingPatience, options.Pretrained?.Description, options.FreezeBackboneEpochs,
        options.BackboneLearningRateFactor, options.FreezeBackboneBatchNorm, options.FrozenBackboneShare, options.MixedPrecision);
}
