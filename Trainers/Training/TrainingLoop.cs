using System.Diagnostics;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Augmentation;
using MLToolkit.Trainers.NetworkLayers.Modules;
using MLToolkit.Trainers.LearningRates;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Training;

/// <summary>What one training run works on, besides the options.</summary>
/// <param name="Train">Training rows.</param>
/// <param name="Validation">Validation rows, or null.</param>
/// <param name="Task">What the targets are, the criterion, the hits and the augmentation of each training batch.</param>
/// <param name="Seed">Seed of shuffling and augmentation draws.</param>
/// <param name="Device">Where the tensors live.</param>
/// <param name="Model">Index (1-based) and count of the models of the run, for progress.</param>
/// <param name="Checkpoint">Where to save and resume from, or null.</param>
/// <param name="Rebuild">Builds another network of the trained one's design (for the bfloat16 copy of mixed precision).</param>
/// <param name="MixedPrecision">Whether batches are computed in bfloat16: asked for, and fast on this machine.</param>
internal sealed record TrainingRun(TensorDataset Train, TensorDataset? Validation, ITrainingTask Task,
    int Seed, Device Device, (int Index, int Count) Model, Checkpoint? Checkpoint, Func<nn.Module<Tensor, Tensor>> Rebuild,
    bool MixedPrecision);

/// <summary>
/// The epoch loop: shuffle → batch → augment → forward → loss → backward → optimizer step →
/// schedule, each batch inside its own dispose scope so that native memory stays flat; then
/// validation, the adaptive schedule, early stopping and the checkpoint.
/// </summary>
internal static class TrainingLoop
{
    // Ensemble members training side by side share their callbacks (a progress display, a log): one call at a time.
    static readonly object CallbackGate = new();

    /// <summary>Trains <paramref name="network"/> in place and returns one summary per epoch.</summary>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite (training diverged).</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled (the last finished epoch is checkpointed).</exception>
    public static IReadOnlyList<EpochSummary> Run(nn.Module<Tensor, Tensor> network, CnnOptions options, TrainingRun run)
    {
        var data = run.Train;
        var parts = BackboneAndHead(network, options, data);
        using var optimizer = CreateOptimizer(options, network, parts);
        using var shuffle = new Generator((ulong)run.Seed);
        // Augmentation has its own stream of random numbers, so adding it does not change the batch order.
        using var augmentDraws = new Generator((ulong)run.Seed + 1);
        // Dropout masks and stochastic pooling draw from the run's own stream, not torch's global one (see LayerDraws).
        using var layerDraws = new Generator((ulong)run.Seed + 3);
        using var drawing = LayerDraws.Use(layerDraws);
        var schedule = options.LearningRateSchedule;
        (schedule as IAdaptiveSchedule)?.Reset();
        var stopping = new EarlyStopping(options.EarlyStoppingPatience);
        var history = new List<EpochSummary>();
        var state = new Checkpoint.State(network, optimizer, shuffle, augmentDraws, layerDraws, schedule, stopping, history);
        int firstEpoch = run.Checkpoint?.TryRestore(state) ?? 0;
        // Made after the restore, so that the copy starts from the resumed weights.
        using var compute = run.MixedPrecision ? new BFloat16Compute(network, run.Rebuild, run.Device) : null;

        var images = data.Images.to(run.Device);
        var labels = data.Labels.to(run.Device);
        long count = data.Count;
        int batches = (int)((count + options.BatchSize - 1) / options.BatchSize);
        var clock = Stopwatch.StartNew();
        bool stop = stopping.Patience is { } p && stopping.Wait >= p;

        try
        {
            for (int epoch = firstEpoch; epoch < options.Epochs && !stop; epoch++)
            {
                network.train();
                bool frozen = parts is not null && epoch < options.FreezeBackboneEpochs;
                if (parts is not null) Freeze(network, parts.Value.Backbone, frozen ? 1 : options.FrozenBackboneShare);
                if (options.FreezeBackboneBatchNorm) NetworkHead.SetBackboneBatchNormTraining(network, false);
                compute?.Mirror();
                var epochClock = Stopwatch.StartNew();
                double lossSum = 0, learningRate = 0;
                long correct = 0, counted = 0, seen = 0;
                using var order = torch.randperm(count, generator: shuffle).to(run.Device);
                TrainingProgress progress = null!;

                for (int batch = 0; batch < batches; batch++)
                {
                    options.CancellationToken.ThrowIfCancellationRequested();
                    using var scope = torch.NewDisposeScope();
                    learningRate = options.Optimizer.LearningRate * schedule.Factor(new SchedulePosition(epoch, batch, batches, options.Epochs));
                    // With a split, group 0 is the backbone: it learns more gently than the new head.
                    int groupIndex = 0;
                    foreach (var group in optimizer.ParamGroups)
                        group.LearningRate = parts is not null && groupIndex++ == 0 ? learningRate * options.BackboneLearningRateFactor : learningRate;

                    long start = (long)batch * options.BatchSize, length = Math.Min(options.BatchSize, count - start);
                    var index = order.narrow(0, start, length);
                    var (x, y) = run.Task.Augment(images.index_select(0, index), labels.index_select(0, index), augmentDraws);

                    optimizer.zero_grad();
                    var input = Backend.ChannelsLast.Of(x);
                    var logits = compute?.Forward(input) ?? network.call(input);
                    var loss = Loss(compute?.Network ?? network, network, logits, y, options.Regularization, run.Task);
                    loss.backward();
                    compute?.CollectGradients();
                    options.Regularization.Clip(network.parameters());
                    optimizer.step();
                    compute?.TakeWeights();

                    double batchLoss = loss.item<float>();
                    if (double.IsNaN(batchLoss) || double.IsInfinity(batchLoss))
                        throw new InvalidOperationException(
                            $"Training diverged: the loss is {batchLoss} at epoch {epoch + 1}, batch {batch + 1} " +
                            $"(learning rate {learningRate:G3}). Lower the learning rate or check the input data for NaN values.");
                    lossSum += batchLoss * length;
                    var hits = run.Task.Hits(logits, y);
                    correct += hits.Correct;
                    counted += hits.Counted;
                    seen += length;

                    progress = Progress(epoch - firstEpoch, epoch, batch + 1, batches, options.Epochs - firstEpoch, options.Epochs,
                        lossSum / seen, (double)correct / Math.Max(1, counted), learningRate, clock.Elapsed, epochClock.Elapsed, seen, run.Model);
                    lock (CallbackGate) foreach (var callback in options.Callbacks) callback.OnBatchEnd(progress);
                }

                compute?.SyncBuffers();
                var validation = run.Validation is null ? ((double, double)?)null : Evaluate(network, run.Validation, options.PredictionBatchSize, run.Device, run.Task);
                double monitored = validation?.Item1 ?? lossSum / seen;
                (schedule as IAdaptiveSchedule)?.OnEpochEnd(monitored);
                stop = stopping.Observe(monitored, network);

                var summary = new EpochSummary(epoch + 1, lossSum / seen, (double)correct / Math.Max(1, counted), learningRate,
                    epochClock.Elapsed.TotalSeconds, Environment.WorkingSet / (1024.0 * 1024.0), validation?.Item1, validation?.Item2);
                history.Add(summary);
                run.Checkpoint?.Save(epoch + 1, state);
                lock (CallbackGate) foreach (var callback in options.Callbacks) callback.OnEpochEnd(progress, summary);
            }
        }
        finally
        {
            if (!ReferenceEquals(images, data.Images)) images.Dispose();
            if (!ReferenceEquals(labels, data.Labels)) labels.Dispose();
        }
        if (parts is not null) Freeze(network, parts.Value.Backbone, 0);
        // With early stopping the run ends on the best epoch's weights, not the last one's.
        if (options.EarlyStoppingPatience is not null) stopping.RestoreBest(network);
        network.eval();
        return history;
    }

    /// <summary>The backbone and head parameters when the options treat them differently, else null.</summary>
    static (IReadOnlyList<Parameter> Backbone, IReadOnlyList<Parameter> Head)? BackboneAndHead(nn.Module<Tensor, Tensor> network, CnnOptions options,
        TensorDataset data) =>
        options.FreezeBackboneEpochs > 0 || options.BackboneLearningRateFactor != 1 || options.FrozenBackboneShare > 0
            ? NetworkHead.SplitInForwardOrder(network, new Datasets.Images.ImageShape((int)data.Images.shape[1], (int)data.Images.shape[2], (int)data.Images.shape[3]))
            : null;

    /// <summary>One optimizer; with a backbone/head split, two parameter groups (backbone first) so each gets its own learning rate.</summary>
    static OptimizerHelper CreateOptimizer(CnnOptions options, nn.Module<Tensor, Tensor> network,
        (IReadOnlyList<Parameter> Backbone, IReadOnlyList<Parameter> Head)? parts)
    {
        if (parts is not { } split) return (OptimizerHelper)options.Optimizer.Create(network.parameters());
        var optimizer = (OptimizerHelper)options.Optimizer.Create(split.Backbone);
        optimizer.add_param_group(options.Optimizer.Group(split.Head));
        return optimizer;
    }

    /// <summary>
    /// Freezes the first <paramref name="share"/> of the backbone (in forward order) and thaws the rest:
    /// frozen weights get no gradients (so backward stops where they start). With the whole backbone
    /// frozen, its batch norms also keep their running statistics.
    /// </summary>
    static void Freeze(nn.Module<Tensor, Tensor> network, IReadOnlyList<Parameter> backbone, double share)
    {
        int frozen = (int)Math.Round(backbone.Count * share);
        for (int i = 0; i < backbone.Count; i++) backbone[i].requires_grad = i >= frozen;
        if (frozen == backbone.Count && frozen > 0) NetworkHead.SetBackboneBatchNormTraining(network, false);
    }

    /// <summary>
    /// The training loss: the task's criterion (cross-entropy with label smoothing) of the main output, plus
    /// the weighted criterion of auxiliary classifiers, plus the weight penalty. Progress reports it whole.
    /// <paramref name="computed"/> is the network that computed <paramref name="logits"/> (with mixed precision, the
    /// bfloat16 copy, whose auxiliary outputs are read in float32); the penalty is of the weights the optimizer updates.
    /// </summary>
    static Tensor Loss(nn.Module<Tensor, Tensor> computed, nn.Module<Tensor, Tensor> network, Tensor logits, Tensor labels, Regularization regularization, ITrainingTask task)
    {
        double smoothing = regularization.LabelSmoothing;
        var loss = task.Criterion(logits, labels, smoothing);
        if (computed is IAuxiliaryOutputs auxiliary)
            foreach (var (auxLogits, weight) in auxiliary.Auxiliary.Items)
                loss = loss + weight * task.Criterion(auxLogits.to(logits.dtype), labels, smoothing);
        return regularization.Penalty(network) is { } penalty ? loss + penalty : loss;
    }

    /// <summary>Mean criterion and accuracy (of images, or of pixels) of <paramref name="network"/> on <paramref name="data"/>, in evaluation mode.</summary>
    public static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> network, TensorDataset data, int batchSize, Device device, ITrainingTask task)
    {
        network.eval();
        using var noGrad = torch.no_grad();
        double lossSum = 0;
        long correct = 0, counted = 0;
        for (long start = 0; start < data.Count; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            long length = Math.Min(batchSize, data.Count - start);
            var x = data.Images.narrow(0, start, length).to(device);
            var y = data.Labels.narrow(0, start, length).to(device);
            var logits = network.call(Backend.ChannelsLast.Of(x));
            lossSum += task.Criterion(logits, y, 0).item<float>() * length;
            var hits = task.Hits(logits, y);
            correct += hits.Correct;
            counted += hits.Counted;
        }
        return (lossSum / data.Count, (double)correct / Math.Max(1, counted));
    }

    static TrainingProgress Progress(int epochsThisRun, int epoch, int batch, int batches, int epochsToRun, int epochs,
        double loss, double accuracy, double learningRate, TimeSpan elapsed, TimeSpan epochElapsed, long seen, (int, int) model)
    {
        double done = epochsThisRun + (double)batch / batches;
        var remaining = TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (epochsToRun - done));
        return new TrainingProgress(epoch + 1, epochs, batch, batches, loss, accuracy, learningRate,
            elapsed, remaining, seen / Math.Max(1e-9, epochElapsed.TotalSeconds), model);
    }
}
