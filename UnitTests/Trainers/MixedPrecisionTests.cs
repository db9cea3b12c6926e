using Microsoft.ML;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Backend;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Trainers.Networks;
using TorchSharp;

namespace MLToolkit.UnitTests.Trainers;

/// <summary>
/// Mixed-precision training (<see cref="CnnOptions.MixedPrecision"/>) through the real trainer: it learns as well as
/// float32, repeats exactly for a seed, leaves a float32 network that is saved and served as any other, carries the
/// batch-norm statistics over, respects frozen weights, and works for designs with auxiliary outputs and residuals.
/// Where bfloat16 is slow (<see cref="BFloat16Speed"/>) the option trains in float32, and only that is tested there:
/// each bfloat16 test would take minutes instead of seconds.
/// </summary>
public class MixedPrecisionTests
{
    static void RequireFastBFloat16()
    {
        var slow = BFloat16Speed.SlowReason("cpu");
        Skip.If(slow is not null, $"mixed precision trains in float32 on this machine: {slow}");
    }

    static CnnOptions Options(bool mixed, IArchitecture? architecture = null, int epochs = 2) => new()
    {
        Architecture = architecture ?? MLToolkit.Architectures.MnistBestCnn(),
        Epochs = epochs,
        BatchSize = 50,
        Optimizer = MLToolkit.Optimizers.Adam(2e-3),
        Seed = 3,
        Threads = 2,
        MixedPrecision = mixed,
    };

    static ITransformer Fit(MLContext ml, CnnOptions options, int rows = 1000) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(options))
            .Fit(TestData.Train(ml, rows));

    static CnnTransformer Cnn(ITransformer model) => ((IEnumerable<ITransformer>)model).OfType<CnnTransformer>().Single();

    static float[][] Scores(MLContext ml, ITransformer model) =>
        model.Transform(TestData.Test(ml, 300)).GetColumn<float[]>("Score").ToArray();

    [SkippableFact]
    public void Learns_as_well_as_float32_and_repeats_exactly_for_a_seed()
    {
        RequireFastBFloat16();
        var ml = new MLContext(seed: 1);
        var full = Fit(ml, Options(mixed: false), rows: 2000);
        var mixed = Fit(ml, Options(mixed: true), rows: 2000);
        var again = Fit(ml, Options(mixed: true), rows: 2000);

        double Accuracy(ITransformer model) => ml.MulticlassClassification.Evaluate(model.Transform(TestData.Test(ml, 300))).MicroAccuracy;
        double fullAccuracy = Accuracy(full), mixedAccuracy = Accuracy(mixed);
        // The batch norms' running statistics are the copy's: had they not reached the float32 network, evaluation
        // would normalise with the initial ones (mean 0, variance 1) and score far below training.
        Assert.True(mixedAccuracy > 0.85, $"mixed precision: {mixedAccuracy:P1} after 2 epochs on 1,000 images (float32 {fullAccuracy:P1})");
        Assert.True(mixedAccuracy > fullAccuracy - 0.03, $"mixed precision {mixedAccuracy:P1} against float32 {fullAccuracy:P1}");
        // Different arithmetic gives different numbers (so the bfloat16 path really ran), the same seed the same ones.
        Assert.NotEqual(Scores(ml, full)[0], Scores(ml, mixed)[0]);
        Assert.Equal(Scores(ml, mixed), Scores(ml, again));
    }

    [SkippableFact]
    public void The_trained_network_is_float32_and_serves_from_its_file_unchanged()
    {
        RequireFastBFloat16();
        var ml = new MLContext(seed: 1);
        var model = Fit(ml, Options(mixed: true, epochs: 1), rows: 300);
        var cnn = Cnn(model);
        Assert.All(cnn.Scorer.Networks[0].parameters(), p => Assert.Equal(torch.ScalarType.Float32, p.dtype));
        Assert.All(cnn.Scorer.Networks[0].buffers().Where(b => b.is_floating_point()), b => Assert.Equal(torch.ScalarType.Float32, b.dtype));

        var folder = TestData.TempDirectory();
        try
        {
            var path = Path.Combine(folder, "model.zip");
            ml.Model.Save(model, TestData.Train(ml, 1).Schema, path);
            var loaded = new MLContext().RegisterMLToolkit().Model.Load(path, out _);
            Assert.Equal(Scores(ml, model), Scores(ml, loaded));
        }
        finally
        {
            TestData.DeleteQuietly(folder);
        }
    }

    [SkippableFact]
    public void A_frozen_backbone_stays_as_it_started()
    {
        RequireFastBFloat16();
        var ml = new MLContext(seed: 1);
        var options = Options(mixed: true, epochs: 1);
        options.FreezeBackboneEpochs = 1;
        var cnn = Cnn(Fit(ml, options, rows: 300));

        // The same seed builds the same starting weights (NetworkTraining seeds torch before building).
        torch.manual_seed(3);
        using var start = options.Architecture.Build(new ImageShape(1, 28, 28), 10);
        var trained = cnn.Scorer.Networks[0].named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var first = start.named_parameters().First();
        var last = start.named_parameters().Last();
        Assert.True(first.parameter.allclose(trained[first.name], 0, 0), $"{first.name} (backbone) changed although frozen");
        Assert.False(last.parameter.allclose(trained[last.name], 0, 0), $"{last.name} (head) did not learn");
    }

    public static TheoryData<string> Designs => new() { "googlenet", "resnet20", "densenet-bc40" };

    /// <summary>GoogLeNet's auxiliary classifiers add to the loss in float32; residual and dense connections mix bfloat16 sums.</summary>
    [SkippableTheory]
    [MemberData(nameof(Designs))]
    public void Zoo_designs_learn_with_mixed_precision(string name)
    {
        RequireFastBFloat16();
        var ml = new MLContext(seed: 1);
        var options = Options(mixed: true, ArchitectureRegistry.Create(name), epochs: 3);
        options.BatchSize = 32;
        var model = Fit(ml, options, rows: 640);
        var accuracy = ml.MulticlassClassification.Evaluate(model.Transform(TestData.Test(ml, 300))).MicroAccuracy;
        // As the zoo's float32 test: twice chance after 3 epochs on 640 images.
        Assert.True(accuracy > 0.2, $"{name}: accuracy {accuracy:P1} with mixed precision");
    }

    /// <summary>
    /// On a machine without fast bfloat16 (this one's VM type hides its CPU caches, so oneDNN is off, and an epoch took
    /// 397 s instead of 17 s in bfloat16) the option must not make training many times slower: it trains in float32.
    /// </summary>
    [SkippableFact]
    public void Where_bfloat16_is_slow_the_option_trains_in_float32()
    {
        Skip.If(BFloat16Speed.IsFast("cpu"), "bfloat16 is fast on this machine (the tests above train with it)");
        var ml = new MLContext(seed: 1);
        var full = Fit(ml, Options(mixed: false, epochs: 1), rows: 300);
        var mixed = Fit(ml, Options(mixed: true, epochs: 1), rows: 300);
        Assert.Equal(Scores(ml, full), Scores(ml, mixed));
        Assert.NotNull(BFloat16Speed.SlowReason("cpu"));
    }
}
