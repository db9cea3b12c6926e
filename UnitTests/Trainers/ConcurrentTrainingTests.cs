using Microsoft.ML;

namespace MLToolkit.UnitTests.Trainers;

/// <summary>Two trainings in one process, on two threads at once, give what each gives alone.</summary>
public class ConcurrentTrainingTests
{
    [Fact]
    public async Task Two_Fit_calls_on_two_threads_match_the_same_calls_one_after_the_other()
    {
        var train = TestData.Train(new MLContext(), 600);
        var test = TestData.Test(new MLContext(), 100);
        // The recipe network has dropout, so its masks draw from the generator too; one thread each lets
        // the two runs really overlap.
        float[][] FitAndScore(int seed)
        {
            var ml = new MLContext(seed: seed);
            var model = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions
                {
                    Architecture = Architectures.MnistBestCnn(), Epochs = 1, BatchSize = 50, Seed = seed, Threads = 1,
                }))
                .Fit(train);
            return model.Transform(test).GetColumn<float[]>("Score").ToArray();
        }

        var alone = new[] { FitAndScore(1), FitAndScore(2) };
        using var start = new Barrier(2);
        var together = new[] { 1, 2 }
            .Select(seed => Task.Factory.StartNew(() => { start.SignalAndWait(); return FitAndScore(seed); }, TaskCreationOptions.LongRunning))
            .ToArray();
        var results = await Task.WhenAll(together);

        Assert.Equal(alone[0], results[0]);
        Assert.Equal(alone[1], results[1]);
        Assert.NotEqual(alone[0], alone[1]);
    }
}
