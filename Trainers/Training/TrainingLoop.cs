using System.Diagnostics;
using MLToolkit.Trainers.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Training;

/// <summary>
/// The epoch loop: shuffle → batch → forward → loss → backward → optimizer step → schedule, each
/// batch inside its own dispose scope so that native memory stays flat.
/// </summary>
public static class TrainingLoop
{
    /// <summary>Trains <paramref name="network"/> in place and returns one summary per epoch.</summary>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite (training diverged).</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled.</exception>
    public static IReadOnlyList<EpochSummary> Run(nn.Module<Tensor, Tensor> network, TensorDataset data, CnnOptions options,
        AugmentationPolicy? augmentation, int seed, Device device, (int Index, int Count) model)
    {
        var optimizer = options.Optimizer.Create(network.parameters());
        using var shuffle = new Generator((ulong)seed);
        // Augmentation has its own stream of random numbers, so adding it does not change the batch order.
        using var augmentDraws = new Generator((ulong)seed + 1);
        var images = data.Images.to(device);
        var labels = data.Labels.to(device);
        long count = data.Count;
        int batches = (int)((count + options.BatchSize - 1) / options.BatchSize);
        var history = new List<EpochSummary>();
        var clock = Stopwatch.StartNew();

        try
        {
            for (int epoch = 0; epoch < options.Epochs; epoch++)
            {
                network.train();
                var epochClock = Stopwatch.StartNew();
                double lossSum = 0, learningRate = 0;
                long correct = 0, seen = 0;
                using var order = torch.randperm(count, generator: shuffle).to(device);
                TrainingProgress progress = null!;

                for (int batch = 0; batch < batches; batch++)
                {
                    options.CancellationToken.ThrowIfCancellationRequested();
                    using var scope = torch.NewDisposeScope();
                    learningRate = options.Optimizer.LearningRate * options.LearningRateSchedule.Factor(epoch, batch, batches);
                    foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;

                    long start = (long)batch * options.BatchSize, length = Math.Min(options.BatchSize, count - start);
                    var index = order.narrow(0, start, length);
                    var x = images.index_select(0, index);
                    if (augmentation is not null) x = augmentation.Apply(x, augmentDraws);
                    var y = labels.index_select(0, index);

                    optimizer.zero_grad();
                    var logits = network.call(x);
                    var loss = nn.functional.cross_entropy(logits, y);
                    loss.backward();
                    optimizer.step();

                    double batchLoss = loss.item<float>();
                    if (double.IsNaN(batchLoss) || double.IsInfinity(batchLoss))
                        throw new InvalidOperationException(
                            $"Training diverged: the loss is {batchLoss} at epoch {epoch + 1}, batch {batch + 1} " +
                            $"(learning rate {learningRate:G3}). Lower the learning rate or check the input data for NaN values.");
                    lossSum += batchLoss * length;
                    correct += logits.argmax(1).eq(y).sum().item<long>();
                    seen += length;

                    progress = Progress(epoch, batch + 1, batches, options.Epochs, lossSum / seen, (double)correct / seen,
                        learningRate, clock.Elapsed, epochClock.Elapsed, seen, model);
                    foreach (var callback in options.Callbacks) callback.OnBatchEnd(progress);
                }

                var summary = new EpochSummary(epoch + 1, lossSum / seen, (double)correct / seen, learningRate,
                    epochClock.Elapsed.TotalSeconds, Environment.WorkingSet / (1024.0 * 1024.0));
                history.Add(summary);
                foreach (var callback in options.Callbacks) callback.OnEpochEnd(progress, summary);
            }
        }
        finally
        {
            if (!ReferenceEquals(images, data.Images)) images.Dispose();
            if (!ReferenceEquals(labels, data.Labels)) labels.Dispose();
            optimizer.Dispose();
        }
        network.eval();
        return history;
    }

    static TrainingProgress Progress(int epoch, int batch, int batches, int epochs, double loss, double accuracy,
        double learningRate, TimeSpan elapsed, TimeSpan epochElapsed, long seen, (int, int) model)
    {
        double done = epoch + (double)batch / batches;
        var remaining = TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (epochs - done));
        return new TrainingProgress(epoch + 1, epochs, batch, batches, loss, accuracy, learningRate,
            elapsed, remaining, seen / Math.Max(1e-9, epochElapsed.TotalSeconds), model);
    }
}
