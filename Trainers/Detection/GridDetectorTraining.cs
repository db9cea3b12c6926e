using Microsoft.ML;
using MLToolkit.Datasets.Detection;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Training;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Detection;

/// <summary>
/// Trains a grid detector on <see cref="DetectionData"/> rows with the toolkit's training loop (optimizer, schedule,
/// progress, checkpoints as for classifiers) and finds the objects of images with it. The ML.NET estimator and
/// transformer around it are still to come; this is the engine they will use.
/// </summary>
internal static class GridDetectorTraining
{
    /// <summary>Trains <paramref name="settings"/>' architecture on <paramref name="data"/> (images of <paramref name="shape"/>); returns it in evaluation mode.</summary>
    public static nn.Module<Tensor, Tensor> Train(IDataView data, CnnOptions options, DetectionOptions settings, ImageShape shape, int seed,
        out IReadOnlyList<EpochSummary> history)
    {
        int stride = settings.Architecture.StrideFor(shape);
        var network = NetworkTraining.Train(data, options, settings.Architecture, shape, seed, (1, 1), new DetectionTask(settings.Augmentation, stride),
            rows => TensorDataset.FromDetections(rows, settings.FeatureColumnName, settings.LabelsColumnName, settings.BoxesColumnName, shape, stride), out history);
        network.eval();
        return network;
    }

    /// <summary>The detections of <paramref name="count"/> images laid one after another in <paramref name="images"/>, batch by batch.</summary>
    public static IReadOnlyList<DetectedBox>[] Detect(nn.Module<Tensor, Tensor> network, int stride, float[] images, int count, ImageShape shape, int batch = 64,
        float minScore = 0.05f, float iouThreshold = 0.5f, int maxDetections = 100)
    {
        // Evaluation mode is set once, when the network is trained or loaded (NetworkScorer); calling eval() here from
        // several request threads at once would race on the modules' flags.
        var result = new List<IReadOnlyList<DetectedBox>>(count);
        using var noGrad = no_grad();
        var device = network.parameters().First().device;
        for (int start = 0; start < count; start += batch)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batch, count - start);
            var input = tensor(images.AsSpan(start * shape.Size, n * shape.Size).ToArray(), new long[] { n, shape.Channels, shape.Height, shape.Width });
            result.AddRange(GridTargets.Decode(network.call(Backend.ChannelsLast.Of(input.to(device))), stride, minScore, iouThreshold, maxDetections));
        }
        return [.. result];
    }
}
