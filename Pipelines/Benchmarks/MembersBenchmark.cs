using System.Diagnostics;
using Microsoft.ML;
using MLToolkit.Datasets.Mnist;
using MLToolkit.Pipelines.Experiments;
using MLToolkit.Trainers.Estimators;

namespace MLToolkit.Pipelines.Benchmarks;

/// <summary>One timed <c>Fit</c> of <c>bench --members</c>.</summary>
/// <param name="MembersAtOnce">The ensemble's <see cref="EnsembleOptions.MembersAtOnce"/> in this fit.</param>
/// <param name="Round">Round number, from 1.</param>
/// <param name="Seconds">Wall time of <c>Fit</c>.</param>
/// <param name="Accuracy">Test accuracy of the fitted ensemble, to show both ways train comparable models.</param>
public sealed record MembersFit(int MembersAtOnce, int Round, double Seconds, double Accuracy);

/// <summary>Result of <c>bench --members</c>.</summary>
/// <param name="Members">Members of the ensemble each fit trains.</param>
/// <param name="Rows">Training rows of each member's one epoch.</param>
/// <param name="Fits">Every fit in the order run.</param>
/// <param name="SideBySideMedianSeconds">Median fit time with every member training at once, each with its share of the cores.</param>
/// <param name="OneAfterAnotherMedianSeconds">Median fit time one member after another, each with every core.</param>
/// <param name="Speedup">How many times faster side by side is (below 1: slower).</param>
public sealed record MembersComparison(int Members, int Rows, IReadOnlyList<MembersFit> Fits,
    double SideBySideMedianSeconds, double OneAfterAnotherMedianSeconds, double Speedup);

/// <summary>
/// <c>bench --members</c>: should ensemble members on this machine train side by side or one after another?
/// Fits an ensemble of one mnist-best member per core (its augmentation, network, optimizer and precision; one
/// epoch) both ways, alternating which goes first, and compares the medians. Only a measurement answers it, and
/// on a noisy machine only several rounds of one: on the 2-core VMs here side by side ranged from 0.6× to 1.2× of
/// one after another between series (BENCHMARKS.md, "Parallel ensemble members").
/// </summary>
public static class MembersBenchmark
{
    /// <summary>Runs <paramref name="rounds"/> rounds of both ways; <paramref name="report"/> gets one line per fit.</summary>
    /// <param name="rows">MNIST training rows each member trains one epoch on.</param>
    /// <param name="rounds">Rounds of both ways (medians are reported).</param>
    /// <param name="report">Receives progress and result lines.</param>
    public static MembersComparison Run(int rows, int rounds, Action<string> report)
    {
        var ml = new MLContext(seed: 1);
        var (all, test) = Mnist.Load(ml);
        // More rows than MNIST has would train on all of them: the result states what was trained on.
        rows = (int)Math.Min(rows, all.GetRowCount() ?? rows);
        var train = ml.Data.Cache(ml.Data.TakeRows(all, rows));
        int members = Math.Max(2, Environment.ProcessorCount);
        report($"{members} members of mnist-best, one epoch of {rows:N0} MNIST rows each, per fit");
        var fits = new List<MembersFit>();
        for (int round = 1; round <= rounds; round++)
        {
            // Alternating the order keeps the warm-up of the first fit, and any drift of the machine, off one side.
            int[] order = round % 2 == 1 ? [members, 1] : [1, members];
            foreach (int atOnce in order)
            {
                var fit = Fit(ml, train, test, members, atOnce, round);
                fits.Add(fit);
                report($"round {round}: {Describe(atOnce, members),-34} fit {fit.Seconds,6:F1} s   accuracy {fit.Accuracy:P2}");
            }
        }
        double Median(int atOnce) => Statistics.Median(fits.Where(f => f.MembersAtOnce == atOnce).Select(f => f.Seconds));
        double sideBySide = Median(members), oneAfterAnother = Median(1);
        var result = new MembersComparison(members, rows, fits, sideBySide, oneAfterAnother, oneAfterAnother / sideBySide);
        report($"medians of {rounds} round(s): side by side {sideBySide:F1} s, one after another {oneAfterAnother:F1} s");
        report(Advice(result.Speedup, members));
        return result;
    }

    /// <summary>
    /// What the measured <paramref name="speedup"/> says to do. Within 10% either way it is no reason to change: on
    /// the 2-core VMs here fits of the same work wander by ±30%, and side-by-side medians went from 0.6× to 1.2×
    /// between series of one afternoon.
    /// </summary>
    public static string Advice(double speedup, int members) => speedup switch
    {
        >= 1.1 => $"side by side is {speedup:F2}× as fast here: set EnsembleOptions.MembersAtOnce = {members}",
        > 0.9 => $"side by side is {speedup:F2}× as fast here, within this machine's noise: keep the default, EnsembleOptions.MembersAtOnce = 1 (more --rounds narrow it down)",
        _ => $"side by side is {speedup:F2}× as fast here: keep the default, EnsembleOptions.MembersAtOnce = 1",
    };

    // One member per core (at least two), so side by side each member has one thread.
    static string Describe(int atOnce, int members) => atOnce == 1 ? "one after another, all cores each" : $"{members} at once, 1 thread each";

    static MembersFit Fit(MLContext ml, IDataView train, IDataView test, int members, int atOnce, int round)
    {
        var member = MnistBestExperiment.Member(epochs: 1);
        member.Seed = round;
        // The recipe's one-epoch warm-up would be the whole of this one-epoch fit and leave the models untrained;
        // the schedule costs nothing per step, so a constant rate times the same work and gives accuracies worth showing.
        member.LearningRateSchedule = Schedules.Constant();
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Augment("Image", MnistBestExperiment.Augmentation()))
            .Append(ml.MulticlassClassification.Trainers.CnnEnsemble(members, member, new EnsembleOptions { MembersAtOnce = atOnce }));
        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        double seconds = clock.Elapsed.TotalSeconds;
        double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        (model as IDisposable)?.Dispose();
        return new MembersFit(atOnce, round, seconds, accuracy);
    }
}
