using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLToolkit;

/// <summary>
/// The stages of a trained model, whether it is one transformer, a chain, or a chain of chains
/// (appending a fitted chain to another nests it). Code that looks for a stage, such as the CNN,
/// goes through here so that every shape of model is searched the same way.
/// </summary>
public static class ModelStages
{
    /// <summary>The stages of <paramref name="model"/> in the order they run, nested chains expanded.</summary>
    public static IEnumerable<ITransformer> Flatten(this ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [model];
    }

    /// <summary>
    /// A copy of <paramref name="model"/> with <paramref name="stage"/> (found by reference, at any depth)
    /// replaced by <paramref name="replacement"/>; the other stages are shared with the original.
    /// </summary>
    public static ITransformer ReplaceStage(this ITransformer model, ITransformer stage, ITransformer replacement)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (ReferenceEquals(model, stage)) return replacement;
        if (model is not IEnumerable<ITransformer> chain) return model;
        var stages = chain.ToArray();
        var replaced = stages.Select(s => s.ReplaceStage(stage, replacement)).ToArray();
        return replaced.SequenceEqual(stages, ReferenceEqualityComparer.Instance) ? model : new TransformerChain<ITransformer>(replaced);
    }

    /// <summary>
    /// The model as it serves: a chain without its stages scoped to training and testing only (the
    /// label's <c>MapValueToKey</c> appended with <c>TransformerScope.TrainTest</c>), so that a
    /// <c>PredictionEngine</c> needs no label column. Other models are returned as they are.
    /// </summary>
    public static ITransformer ForPrediction(this ITransformer model) =>
        model is TransformerChain<ITransformer> chain ? chain.GetModelFor(TransformerScope.Scoring) : model;
}
