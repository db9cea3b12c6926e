using Microsoft.ML;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Trainers.Training;

namespace MLToolkit.UnitTests.Trainers;

/// <summary>The ensemble's "time left": the member in progress plus the members still to come.</summary>
public class EnsembleProgressTests
{
    static TrainingProgress At(int epoch, int epochs, double elapsed, double remaining, int model, int count) =>
        new(epoch, epochs, 1, 10, 0.5, 0.5, 1e-3, TimeSpan.FromSeconds(elapsed), TimeSpan.FromSeconds(remaining), 100, (model, count));

    [Fact]
    public void One_after_another_adds_the_members_still_to_come()
    {
        var progress = new EnsembleProgress([2, 2, 2, 2], atOnce: 1);
        // Member 1 halfway through its 2 epochs: 10 s done, 10 s to go, so 10 s per epoch; three members of 20 s follow.
        var update = progress.Update(0, At(epoch: 1, epochs: 2, elapsed: 10, remaining: 10, model: 1, count: 4));
        Assert.Equal(TimeSpan.FromSeconds(70), update.EnsembleRemaining);
        Assert.Equal(TimeSpan.FromSeconds(10), update.Remaining);

        progress.Update(0, At(2, 2, 20, 0, 1, 4));
        // Member 2 just started, its first second at twice the time per epoch; the speed weighs each member by the
        // work done (member 1's 2 epochs in 20 s, member 2's tenth of an epoch in 1 s): 21 s for 2.1 epochs, 10 s each.
        var second = progress.Update(1, At(1, 2, 1, 19, 2, 4));
        Assert.Equal(19 + 2 * 2 * 10, second.EnsembleRemaining!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void Side_by_side_fills_the_first_free_slot()
    {
        var progress = new EnsembleProgress([1, 1, 1, 1], atOnce: 2);
        progress.Update(0, At(1, 1, 5, 5, 1, 4));
        var update = progress.Update(1, At(1, 1, 10, 30, 2, 4));
        // Half an epoch in 5 s and a quarter in 10 s: 15 s for 0.75 epochs, 20 s per epoch. Slot A frees at 5 s and
        // takes member 3 (to 25 s), then member 4 goes to the slot freeing first, A again (B frees at 30 s): 45 s.
        Assert.Equal(45, update.EnsembleRemaining!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void A_resumed_member_counts_only_the_epochs_it_trains()
    {
        var progress = new EnsembleProgress([4, 4], atOnce: 1);
        // Resumed at epoch 3 of 4: 2 epochs this run, 10 s done and 10 s to go, so 10 s per epoch, 40 s for member 2.
        var update = progress.Update(0, At(3, 4, 10, 10, 1, 2));
        Assert.Equal(TimeSpan.FromSeconds(50), update.EnsembleRemaining);
    }

    [Fact]
    public void A_member_stopped_early_leaves_nothing_behind()
    {
        var progress = new EnsembleProgress([10, 10], atOnce: 1);
        // Member 1 stops after 2 of 10 epochs (early stopping), its last estimate still 80 s away; member 2 needs less.
        progress.Update(0, At(1, 10, 20, 80, 1, 2));
        progress.Finished(0);
        var update = progress.Update(1, At(1, 10, 1, 49, 2, 2));
        Assert.Equal(TimeSpan.FromSeconds(49), update.EnsembleRemaining);
    }

    [Fact]
    public void A_member_finished_in_its_checkpoint_is_neither_to_come_nor_timed()
    {
        var progress = new EnsembleProgress([2, 2, 2], atOnce: 1);
        progress.Finished(0); // resumed: its checkpoint held it trained, so it never reported
        var update = progress.Update(1, At(1, 2, 10, 10, 2, 3));
        Assert.Equal(TimeSpan.FromSeconds(10 + 20), update.EnsembleRemaining);
    }

    [Fact]
    public void An_ensemble_fit_reports_its_time_left_to_the_members_callbacks()
    {
        var ml = new MLContext(seed: 3);
        var train = TestData.Train(ml, 300);
        var seen = new List<TrainingProgress>();
        var member = new CnnOptions { Epochs = 2, BatchSize = 50 };
        member.Callbacks.Add(new ProgressCallback(onEpoch: (p, _) => seen.Add(p)));
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.CnnEnsemble(members: 2, member: member))
            .Fit(train);

        Assert.Equal([(1, 2), (1, 2), (2, 2), (2, 2)], seen.Select(p => p.Model));
        Assert.All(seen, p => Assert.NotNull(p.EnsembleRemaining));
        // While member 1 trains, member 2 is still to come; at the very end nothing is left.
        Assert.True(seen[0].EnsembleRemaining > seen[0].Remaining, $"{seen[0].EnsembleRemaining} vs {seen[0].Remaining}");
        Assert.Equal(TimeSpan.Zero, seen[^1].EnsembleRemaining);

        // A model trained alone has no ensemble figure.
        var alone = new List<TrainingProgress>();
        var options = new CnnOptions { Epochs = 1, BatchSize = 50 };
        options.Callbacks.Add(new ProgressCallback(onEpoch: (p, _) => alone.Add(p)));
        ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.Cnn(options)).Fit(train);
        Assert.Null(Assert.Single(alone).EnsembleRemaining);
    }
}
