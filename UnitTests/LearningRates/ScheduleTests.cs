using MLToolkit.Trainers.LearningRates;
using MLToolkit.Trainers.Training;
using Microsoft.ML;

namespace MLToolkit.UnitTests.LearningRates;

public class ScheduleTests
{
    static double At(ILearningRateSchedule schedule, int epoch, int batch = 0, int batches = 10, int epochs = 15) =>
        schedule.Factor(new SchedulePosition(epoch, batch, batches, epochs));

    [Fact]
    public void Step_decay_halves_every_five_epochs()
    {
        var schedule = MLToolkit.Schedules.StepDecay(everyEpochs: 5, factor: 0.5);
        Assert.Equal([1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25],
            Enumerable.Range(0, 15).Select(e => At(schedule, e, batch: 7)));
    }

    [Fact]
    public void Exponential_decay_multiplies_every_epoch()
    {
        var schedule = MLToolkit.Schedules.ExponentialDecay(0.9);
        Assert.Equal(1, At(schedule, 0), 12);
        Assert.Equal(0.729, At(schedule, 3, batch: 5), 12);
    }

    [Fact]
    public void Cosine_warms_up_linearly_then_anneals_per_batch()
    {
        var schedule = MLToolkit.Schedules.Cosine(warmupEpochs: 1, minFactor: 0.1);
        Assert.Equal(0.1, At(schedule, 0, batch: 0, epochs: 11), 9);       // first step: 1/10 of warm-up
        Assert.Equal(0.5, At(schedule, 0, batch: 4, epochs: 11), 9);
        Assert.Equal(1.0, At(schedule, 1, batch: 0, epochs: 11), 9);       // end of warm-up: the peak
        Assert.Equal(0.55, At(schedule, 6, batch: 0, epochs: 11), 9);      // half-way down: (1 + 0.1) / 2
        Assert.True(At(schedule, 10, batch: 9, epochs: 11) < 0.11);
        var curve = Enumerable.Range(10, 100).Select(i => At(schedule, i / 10, i % 10, epochs: 11)).ToArray();
        Assert.True(curve.Zip(curve.Skip(1)).All(p => p.Second <= p.First), "after warm-up the rate never rises");
    }

    [Fact]
    public void One_cycle_rises_to_the_peak_then_falls_far_below_the_start()
    {
        var schedule = MLToolkit.Schedules.OneCycle(warmupShare: 0.3, divFactor: 25, finalDivFactor: 1e4);
        Assert.Equal(1 / 25.0, At(schedule, 0, epochs: 10), 9);
        Assert.Equal(1.0, At(schedule, 3, epochs: 10), 9);
        Assert.True(At(schedule, 9, batch: 9, epochs: 10) < 1e-3);
        var rising = Enumerable.Range(0, 30).Select(i => At(schedule, i / 10, i % 10, epochs: 10)).ToArray();
        Assert.True(rising.Zip(rising.Skip(1)).All(p => p.Second > p.First));
    }

    [Fact]
    public void Reduce_on_plateau_waits_for_patience_then_reduces()
    {
        var schedule = MLToolkit.Schedules.ReduceOnPlateau(gamma: 0.5, patience: 2, minFactor: 0.2);
        var factors = new List<double>();
        foreach (var loss in new[] { 1.0, 0.8, 0.85, 0.9, 0.95, 0.7, 0.75, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9 })
        {
            schedule.OnEpochEnd(loss);
            factors.Add(At(schedule, 0));
        }
        Assert.Equal([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2], factors);
        var state = schedule.GetState();
        schedule.Reset();
        Assert.Equal(1, At(schedule, 0));
        schedule.SetState(state);
        Assert.Equal(0.2, At(schedule, 0));
    }

    [Fact]
    public void Invalid_schedule_settings_name_the_setting()
    {
        Assert.Contains("everyEpochs", Assert.Throws<ArgumentException>(() => MLToolkit.Schedules.StepDecay(0, 0.5)).Message);
        Assert.Contains("warmupShare", Assert.Throws<ArgumentException>(() => MLToolkit.Schedules.OneCycle(warmupShare: 1.5)).Message);
    }

    [Fact]
    public void Training_loop_steps_the_rate_per_batch()
    {
        var rates = new List<double>();
        var ml = new MLContext(seed: 2);
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions
            {
                Epochs = 2, BatchSize = 100, Optimizer = Optimizers.Adam(2e-3),
                LearningRateSchedule = MLToolkit.Schedules.OneCycle(warmupShare: 0.5),
                Callbacks = { new ProgressCallback(p => rates.Add(p.LearningRate)) },
            }))
            .Fit(TestData.Train(ml, 1000));
        Assert.Equal(20, rates.Count);
        Assert.Equal(2e-3 / 25, rates[0], 9);
        Assert.Equal(2e-3, rates.Max(), 4);
        Assert.True(rates[^1] < 2e-3 / 10);
    }
}
