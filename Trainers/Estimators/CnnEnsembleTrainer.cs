using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.LearningRates;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLToolkit.Trainers.Augmentation;
using MLToolkit.Trainers.Backend;
using MLToolkit.Trainers.Scoring;
using MLToolkit.Trainers.Training;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Estimators;

/// <summary>Settings of an ensemble: how members are combined and whether to average test-time augmented views.</summary>
public sealed class EnsembleOptions
{
    /// <summary>How member predictions are combined.</summary>
    public EnsembleCombination Combination { get; set; } = EnsembleCombination.AverageProbabilities;

    /// <summary>Per member weight of the average (null: equal weights).</summary>
    public IReadOnlyList<double>? Weights { get; set; }

    /// <summary>
    /// Test-time augmentation: number of augmented views (with the pipeline's augmentation policy)
    /// averaged with the original image at prediction; 0 turns it off.
    /// </summary>
    public int TestTimeAugmentationViews { get; set; }

    /// <summary>
    /// How many members train at once, each on its own thread with its share of the cores (default 1: one after
    /// another, each with every core). Measured through the pipeline on 2-core VMs (BENCHMARKS.md, "Parallel ensemble
    /// members"), two at once ranged from 0.6× to 1.2× of one after another between series, within the machines'
    /// noise, so one after another stays the default; <c>bench --members</c> of the experiment host measures it on
    /// your machine and says when raising it pays. Side by side needs CPU members that leave
    /// <see cref="CnnOptions.Threads"/> unset and share no adaptive schedule object of your own kind (each member gets
    /// its own copy of a <see cref="ReduceOnPlateau"/>). A member trained beside others is
    /// the model it is trained alone with the same seed and thread count.
    /// </summary>
    public int MembersAtOnce { get; set; } = 1;
}

/// <summary>
/// ML.NET estimator that trains several CNNs — the same design with different seeds, or different
/// designs — and combines their predictions. Its <see cref="CnnTransformer"/> scores, saves, loads and
/// serves like a single model. Create it with <c>ml.MulticlassClassification.Trainers.CnnEnsemble(...)</c>.
/// </summary>
public sealed class CnnEnsembleTrainer : IEstimator<CnnTransformer>
{
    readonly IHost _host;

    /// <summary>Creates the ensemble trainer; every member's options are checked here.</summary>
    /// <exception cref="ArgumentException">No member, members reading different columns, or invalid options.</exception>
    public CnnEnsembleTrainer(IHostEnvironment env, IReadOnlyList<CnnOptions> members, EnsembleOptions? ensemble = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        if (members is null || members.Count == 0) throw new ArgumentException("An ensemble needs at least one member.", nameof(members));
        foreach (var member in members) member.Validate();
        if (members.Select(m => (m.FeatureColumnName, m.LabelColumnName)).Distinct().Count() != 1)
            throw new ArgumentException("All ensemble members must read the same image and label columns.", nameof(members));
        Members = members;
        Ensemble = ensemble ?? new EnsembleOptions();
        new ScoringSettings(Ensemble.Combination, Ensemble.Weights).Validate(members.Count);
        if (Ensemble.TestTimeAugmentationViews is < 0 or > 64)
            throw new ArgumentException($"TestTimeAugmentationViews must be in [0, 64]; it is {Ensemble.TestTimeAugmentationViews}.", nameof(ensemble));
        if (Ensemble.MembersAtOnce is var atOnce && (atOnce < 1 || (atOnce > 1 && SideBySideObstacle() is not null)))
            throw new ArgumentException(atOnce < 1
                ? $"MembersAtOnce must be >= 1; it is {atOnce}."
                : $"MembersAtOnce is {atOnce}, but the members cannot train side by side: {SideBySideObstacle()}. Use 1 to train them one after another.",
                nameof(ensemble));
        _host = env.Register(nameof(CnnEnsembleTrainer));
    }

    /// <summary>The members' options, in order.</summary>
    public IReadOnlyList<CnnOptions> Members { get; }

    /// <summary>How the members are combined.</summary>
    public EnsembleOptions Ensemble { get; }

    /// <summary>Trains every member on <paramref name="input"/>, side by side or one after another (see <see cref="EnsembleOptions.MembersAtOnce"/>).</summary>
    /// <exception cref="InvalidOperationException">Test-time augmentation was asked for but the pipeline has no augmentation stage.</exception>
    public CnnTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var first = Members[0];
        var policy = input.Schema.GetColumnOrNull(first.FeatureColumnName) is { } column ? AugmentationPolicy.FromColumn(column) : null;
        if (Ensemble.TestTimeAugmentationViews > 0 && policy is null)
            throw new InvalidOperationException("Test-time augmentation needs an ml.Transforms.Augment stage before the ensemble trainer.");

        int baseSeed = _host.Rand.Next();
        int atOnce = Math.Min(Ensemble.MembersAtOnce, Members.Count);
        var progress = new EnsembleProgress([.. Members.Select(m => m.Epochs)], atOnce);
        // Members differ by seed unless their options fix one.
        var jobs = Members.Select((member, i) => (Func<TrainedMember>)(() =>
        {
            // The member's callbacks hear the ensemble's time left as well as its own.
            var options = member.Clone();
            options.Callbacks = [progress.For(i, member.Callbacks)];
            var network = CnnTrainer.TrainNetwork(input, options, member.Seed ?? baseSeed + 7919 * i, (i + 1, Members.Count),
                out var shape, out var architecture, out var history);
            progress.Finished(i);
            return new TrainedMember(network, shape, architecture, history);
        })).ToList();
        var trained = MemberGroup.Run(jobs, atOnce, Math.Max(1, Environment.ProcessorCount / atOnce), member => member.Network.Dispose());
        var networks = trained.Select(m => m.Network).ToList();
        var shape = trained[^1].Shape;
        var histories = trained.Select(m => m.History).ToList();
        var architectures = trained.Select(m => m.Architecture).ToList();

        var label = input.Schema[first.LabelColumnName];
        var settings = new ScoringSettings(Ensemble.Combination, Ensemble.Weights, Ensemble.TestTimeAugmentationViews,
            Ensemble.TestTimeAugmentationViews > 0 ? policy : null);
        var scorer = new NetworkScorer(networks, shape, TensorDataset.LabelClasses(label), TorchRuntime.ResolveDevice(first.Device), settings);
        return new CnnTransformer(first.FeatureColumnName, scorer, architectures,
            KeyValues.FromColumn(label), histories);
    }

    /// <summary>Why the members cannot train side by side, or null if they can.</summary>
    string? SideBySideObstacle()
    {
        if (Members.Any(m => m.Threads is not null))
            return "a member sets CnnOptions.Threads (side by side, the cores are shared out among the members)";
        if (Members.Any(m => !string.Equals(m.Device.Trim(), "cpu", StringComparison.OrdinalIgnoreCase)))
            return "a member trains on a GPU";
        // Fit gives each member its own copy of a ReduceOnPlateau (CnnOptions.Clone); a schedule of the user's own kind it cannot copy.
        var adaptive = Members.Select(m => m.LearningRateSchedule).OfType<IAdaptiveSchedule>().Where(s => s is not ReduceOnPlateau).ToList();
        if (adaptive.Distinct(ReferenceEqualityComparer.Instance).Count() != adaptive.Count)
            return "two members share one adaptive learning-rate schedule object, which keeps the state of one run (give each member its own)";
        return null;
    }

    sealed record TrainedMember(nn.Module<Tensor, Tensor> Network, Datasets.Images.ImageShape Shape, IArchitecture Architecture,
        IReadOnlyList<EpochSummary> History);

    /// <summary>The schema after the transformer: the input plus <c>Score</c> and <c>PredictedLabel</c>.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        new CnnTrainer(_host, Members[0]).GetOutputSchema(inputSchema);
}
