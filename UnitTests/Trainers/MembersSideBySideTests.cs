using Microsoft.ML;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Trainers.Training;

namespace MLToolkit.UnitTests.Trainers;

/// <summary>
/// Ensemble members train side by side, each with its share of the cores, and each is still the model it is trained
/// alone: its dropout masks come from its own stream, not from torch's global generator that both would draw from.
/// </summary>
public class MembersSideBySideTests
{
    static readonly int ThreadsEach = Math.Max(1, Environment.ProcessorCount / 2);

    // The classic network has dropout: interleaved draws from one generator would show in the scores.
    static CnnOptions Member(int seed, int? threads = null) =>
        new() { Architecture = Architectures.MnistClassic(), Epochs = 1, BatchSize = 50, Seed = seed, Threads = threads };

    static CnnEnsembleTrainer Ensemble(MLContext ml, EnsembleOptions? ensemble, params CnnOptions[] members) =>
        ml.MulticlassClassification.Trainers.CnnEnsemble(members.Select(m => ml.MulticlassClassification.Trainers.Cnn(m)), ensemble);

    static float[][] Scores(MLContext ml, IDataView train, IDataView test, EnsembleOptions ensemble, params CnnOptions[] members)
    {
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(Ensemble(ml, ensemble, members))
            .Fit(train);
        return model.Transform(test).GetColumn<float[]>("Score").ToArray();
    }

    [Fact]
    public void Members_trained_side_by_side_are_the_members_trained_one_after_another()
    {
        var ml = new MLContext(seed: 3);
        var (train, test) = (TestData.Train(ml, 600), TestData.Test(ml, 200));

        var sideBySide = Scores(ml, train, test, new EnsembleOptions { MembersAtOnce = 2 }, Member(5), Member(6));
        // One after another, each with the thread count it had side by side.
        var alone = Scores(ml, train, test, new EnsembleOptions { MembersAtOnce = 1 }, Member(5, ThreadsEach), Member(6, ThreadsEach));

        Assert.Equal(alone.Length, sideBySide.Length);
        for (int i = 0; i < alone.Length; i++) Assert.Equal(alone[i], sideBySide[i]);
    }

    [Fact]
    public void Side_by_side_members_may_share_a_plateau_schedule_and_hear_the_ensembles_time_left()
    {
        var ml = new MLContext(seed: 3);
        var train = TestData.Train(ml, 300);
        // One ReduceOnPlateau object for both: each member trains with its own copy of it.
        var plateau = Schedules.ReduceOnPlateau(gamma: 0.5, patience: 1);
        var reports = new List<TrainingProgress>();
        var members = new[] { Member(5), Member(6) };
        foreach (var member in members)
        {
            member.Epochs = 2;
            member.LearningRateSchedule = plateau;
            member.Callbacks.Add(new ProgressCallback(onEpoch: (p, _) => { lock (reports) reports.Add(p); }));
        }
        ml.Transforms.Conversion.MapValueToKey("Label").Append(Ensemble(ml, new EnsembleOptions { MembersAtOnce = 2 }, members)).Fit(train);

        Assert.Equal(4, reports.Count);
        Assert.All(reports, p => Assert.True(p.EnsembleRemaining >= p.Remaining, $"{p.EnsembleRemaining} vs {p.Remaining}"));
        Assert.Equal(TimeSpan.Zero, reports[^1].EnsembleRemaining);
    }

    [Fact]
    public void A_failing_member_fails_the_fit_with_its_own_error()
    {
        var ml = new MLContext(seed: 3);
        var train = ml.Transforms.Conversion.MapValueToKey("Label").Fit(TestData.Train(ml, 200)).Transform(TestData.Train(ml, 200));
        var failing = Member(6);
        failing.Callbacks.Add(new ProgressCallback(onBatch: _ => throw new InvalidOperationException("member 2 stops here")));
        var trainer = Ensemble(ml, new EnsembleOptions { MembersAtOnce = 2 }, Member(5), failing);

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(train));
        Assert.Equal("member 2 stops here", error.Message);
    }

    [Fact]
    public void Settings_that_cannot_train_side_by_side_are_named()
    {
        var ml = new MLContext();
        Assert.Contains("MembersAtOnce", Assert.Throws<ArgumentException>(() =>
            Ensemble(ml, new EnsembleOptions { MembersAtOnce = 0 }, Member(5), Member(6))).Message);
        var threads = Assert.Throws<ArgumentException>(() => Ensemble(ml, new EnsembleOptions { MembersAtOnce = 2 }, Member(5, threads: 1), Member(6)));
        Assert.Contains("CnnOptions.Threads", threads.Message);
        // By default they train one after another, where a member's own thread count is fine.
        Assert.Equal(1, Ensemble(ml, null, Member(5, threads: 1), Member(6)).Ensemble.MembersAtOnce);
    }
}
