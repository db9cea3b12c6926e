using MLToolkit.Datasets.ModelFiles;

namespace MLToolkit.Pipelines.Runs;

/// <summary>
/// Which dataset an experiment's model was trained on, kept inside its model file: MNIST and
/// Fashion-MNIST models take the same 784 pixels, so <c>evaluate</c> could not otherwise tell a
/// Fashion-MNIST model from a digit model and would score it on the wrong images without a word.
/// </summary>
/// <param name="Dataset">The dataset's name as <c>evaluate --dataset</c> takes it (mnist, fashion, cifar10, images).</param>
/// <param name="Data">Full path of the <c>--data</c> folder, or null for the vendored or shared default.</param>
public sealed record TrainedOn(string Dataset, string? Data)
{
    const string NoteName = "TrainedOn";

    /// <summary>The dataset of an experiment: mnist for both MNIST classification experiments, else the experiment's own name.</summary>
    public static TrainedOn Of(string experiment, string? data) => new(
        experiment.StartsWith("mnist", StringComparison.Ordinal) ? "mnist"
            : experiment.StartsWith("images", StringComparison.Ordinal) ? "images" : experiment,
        data is null ? null : Path.GetFullPath(data));

    /// <summary>Records it inside the model file at <paramref name="modelPath"/>.</summary>
    public void WriteTo(string modelPath) => ModelNotes.Write(modelPath, NoteName, this);

    /// <summary>What the model file records, or null (a model saved outside the experiment host).</summary>
    public static TrainedOn? ReadFrom(string modelPath) => ModelNotes.Read<TrainedOn>(modelPath, NoteName);
}
