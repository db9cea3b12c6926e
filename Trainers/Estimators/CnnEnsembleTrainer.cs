using MLToolkit.Trainers.Networks;
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
        _host = env.Register(nameof(CnnEnsembleTrainer));
    }

    /// <summary>The members' options, in order.</summary>
    public IReadOnlyList<CnnOptions> Members { get; }

    /// <summary>How the members are combined.</summary>
    public EnsembleOptions Ensemble { get; }

    /// <summary>Trains every member on <paramref name="input"/>, one after another.</summary>
    /// <exception cref="InvalidOperationException">Test-time augmentation was asked for but the pipeline has no augmentation stage.</exception>
    public CnnTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var first = Members[0];
        var policy = input.Schema.GetColumnOrNull(first.FeatureColumnName) is { } column ? AugmentationPolicy.FromColumn(column) : null;
        if (Ensemble.TestTimeAugmentationViews > 0 && policy is null)
            throw new InvalidOperationException("Test-time augmentation needs an ml.Transforms.Augment stage before the ensemble trainer.");

        var networks = new List<nn.Module<Tensor, Tensor>>();
        var histories = new List<IReadOnlyList<EpochSummary>>();
        var architectures = new List<IArchitecture>();
        int baseSeed = _host.Rand.Next();
        Datasets.Images.ImageShape shape = default;
        try
        {
            for (int i = 0; i < Members.Count; i++)
            {
                // Members differ by seed unless their options fix one.
                var seed = Members[i].Seed ?? baseSeed + 7919 * i;
                networks.Add(CnnTrainer.TrainNetwork(input, Members[i], seed, (i + 1, Members.Count), out shape, out var architecture, out var history));
                histories.Add(history);
                architectures.Add(architecture);
            }
        }
        catch
        {
            foreach (var network in networks) network.Dispose();
            throw;
        }

        var label = input.Schema[first.LabelColumnName];
        var settings = new ScoringSettings(Ensemble.Combination, Ensemble.Weights, Ensemble.TestTimeAugmentationViews,
            Ensemble.TestTimeAugmentationViews > 0 ? policy : null);
        var scorer = new NetworkScorer(networks, shape, TensorDataset.LabelClasses(label), TorchRuntime.ResolveDevice(first.Device), settings);
        return new CnnTransformer(first.FeatureColumnName, scorer, architectures,
            KeyValues.FromColumn(label), histories);
    }

    /// <summary>The schema after the transformer: the input plus <c>Score</c> and <c>PredictedLabel</c>.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        new CnnTrainer(_host, Members[0]).GetOutputSchema(inputSchema);
}
