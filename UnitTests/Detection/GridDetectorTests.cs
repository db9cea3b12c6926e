using Microsoft.ML;
using MLToolkit.Datasets.Detection;
using MLToolkit.Trainers.Detection;

namespace MLToolkit.UnitTests.Detection;

/// <summary>The grid encoding round trip, and a short training run of the grid detector on generated scenes.</summary>
public class GridDetectorTests
{
    [Fact]
    public void Encoded_targets_decode_to_the_same_boxes()
    {
        var objects = new[] { new LabeledBox(3, new BoundingBox(10, 20, 40, 44)), new LabeledBox(7, new BoundingBox(70, 5, 90, 61)) };
        var targets = GridTargets.Encode(objects, 128, 128, 8);
        // Network outputs that say exactly the targets: objectness and class logits large, offsets as logits.
        int plane = 16 * 16;
        var outputs = new float[GridTargets.OutputChannels(10) * plane];
        for (int cell = 0; cell < plane; cell++)
        {
            outputs[cell] = targets[cell] > 0 ? 20 : -20;
            for (int k = 1; k <= 2; k++) outputs[k * plane + cell] = MathF.Log(targets[k * plane + cell] / (1 - targets[k * plane + cell]) + 1e-9f);
            for (int k = 3; k <= 4; k++) outputs[k * plane + cell] = targets[k * plane + cell];
            outputs[(5 + (int)targets[5 * plane + cell]) * plane + cell] = 20;
        }
        var decoded = GridTargets.Decode(TorchSharp.torch.tensor(outputs, new long[] { 1, 15, 16, 16 }), 8).Single();
        Assert.Equal(2, decoded.Count);
        foreach (var o in objects)
        {
            var match = Assert.Single(decoded, d => d.Label == o.Label);
            Assert.True(match.Box.IoU(o.Box) > 0.999f, $"{match.Box} for {o.Box}");
            Assert.True(match.Score > 0.99f);
        }
    }

    [Fact]
    public void A_short_run_finds_digits_well_above_chance()
    {
        var options = new DetectionSceneOptions { Size = 64, MinDigits = 1, MaxDigits = 2, MinDigitSize = 20, MaxDigitSize = 32, TrainScenes = 1500, TestScenes = 100, Seed = 3 };
        var (train, test) = MnistDetectionScenes.Generate(options);
        var shape = MnistDetectionScenes.Shape(options);
        var ml = new MLContext(seed: 1);
        var architecture = new GridDetector([16, 32, 64], Head: 64);
        var network = GridDetectorTraining.Train(DetectionData.FromScenes(ml, train, shape, MnistDetectionScenes.ClassNames),
            new CnnOptions { Epochs = 4, BatchSize = 32, Optimizer = Optimizers.Adam(3e-3), LearningRateSchedule = Schedules.OneCycle() },
            architecture, shape, seed: 1, out var history);
        var found = GridDetectorTraining.Detect(network, architecture.Stride, test.SelectMany(s => s.Image).ToArray(), test.Count, shape);
        var metrics = DetectionMetrics.Evaluate(test.Select((s, i) => new ScoredImage(s.Objects, found[i])).ToArray(), 10);
        Assert.True(history[^1].Loss < history[0].Loss, "the loss falls");
        Assert.True(metrics.VocMeanAP50 > 0.3, $"VOC AP50 {metrics.VocMeanAP50:F3} after a short run (COCO mAP {metrics.CocoMeanAP:F3})");
    }
}
