using MLToolkit.Trainers.Augmentation;

namespace MLToolkit.Trainers.Scoring;

/// <summary>How the members of an ensemble are combined.</summary>
public enum EnsembleCombination
{
    /// <summary>Mean of the members' class probabilities (optionally weighted).</summary>
    AverageProbabilities,

    /// <summary>Each member votes for its most probable class; Score holds the vote shares.</summary>
    MajorityVote,
}

/// <summary>How a trained model turns images into scores.</summary>
/// <param name="Combination">How ensemble members are combined.</param>
/// <param name="Weights">Per member weight of the average (null: equal weights).</param>
/// <param name="TestTimeViews">Extra augmented views averaged with the original image (0: none).</param>
/// <param name="TestTimePolicy">The augmentation of those views.</param>
public sealed record ScoringSettings(
    EnsembleCombination Combination = EnsembleCombination.AverageProbabilities,
    IReadOnlyList<double>? Weights = null,
    int TestTimeViews = 0,
    AugmentationPolicy? TestTimePolicy = null)
{
    /// <summary>Checks the settings against the number of members.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate(int members)
    {
        if (Weights is not null && (Weights.Count != members || Weights.Any(w => !(w >= 0)) || Weights.Sum() <= 0))
            throw new ArgumentException($"Ensemble weights must be {members} non-negative numbers with a positive sum.", nameof(Weights));
        if (TestTimeViews < 0 || TestTimeViews > 64)
            throw new ArgumentException($"TestTimeViews must be in [0, 64]; it is {TestTimeViews}.", nameof(TestTimeViews));
        if (TestTimeViews > 0 && TestTimePolicy is null)
            throw new ArgumentException("Test-time augmentation needs an augmentation policy.", nameof(TestTimePolicy));
    }
}
