using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Trainers.Augmentation;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Trainers.Scoring;

namespace MLToolkit;

/// <summary>
/// Turns test-time augmentation on (or off) in a trained or loaded model without retraining: the
/// CNN stage of the chain averages its prediction over the original image and a number of augmented
/// views. Useful to try TTA on a model that was saved without it.
/// </summary>
public static class TestTimeAugmentation
{
    /// <summary>
    /// A copy of <paramref name="model"/> whose CNN stage averages <paramref name="views"/> extra augmented
    /// views (0 turns TTA off). The views use <paramref name="policy"/>, or when it is null the policy of the
    /// model's own <c>ml.Transforms.Augment</c> stage. The copy shares the trained networks with the original.
    /// </summary>
    /// <exception cref="ArgumentException">The model has no CNN stage, or no policy is given and the model has no augmentation stage.</exception>
    public static ITransformer WithTestTimeAugmentation(this ITransformer model, int views, AugmentationPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var stages = model.Flatten().ToList();
        var scorer = stages.OfType<CnnTransformer>().FirstOrDefault()
            ?? throw new ArgumentException("The model has no CNN stage (CnnTransformer) to augment at test time.", nameof(model));
        policy ??= stages.OfType<AugmentTransformer>().FirstOrDefault()?.Policy;
        if (views > 0 && policy is null)
            throw new ArgumentException("The model has no augmentation stage; pass the policy of the test-time views.", nameof(policy));

        var augmented = scorer.WithScoring(scorer.Scorer.Settings with { TestTimeViews = views, TestTimePolicy = views > 0 ? policy : null });
        return model.ReplaceStage(scorer, augmented);
    }
}
