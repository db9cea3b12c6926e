using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLToolkit.Datasets.Images;

namespace MLToolkit.Trainers.Scoring;

/// <summary>
/// Builds the row mapping that adds <c>Score</c> (class probabilities) and <c>PredictedLabel</c>
/// (a key carrying the training labels' values) to an image column, as an ML.NET
/// <see cref="CustomMappingTransformer{TSrc, TDst}"/>. ML.NET then provides <c>Transform</c>,
/// row-to-row mapping and thus <c>PredictionEngine</c> for free.
/// </summary>
internal static class ScoringMapping
{
    /// <summary>Name of the probabilities column.</summary>
    public const string ScoreColumn = "Score";

    /// <summary>Name of the predicted key column.</summary>
    public const string PredictedLabelColumn = "PredictedLabel";

    /// <summary>The mapping for <paramref name="inputSchema"/>.</summary>
    /// <exception cref="ArgumentException">The image column is missing or does not have the scorer's size.</exception>
    public static ITransformer Create(MLContext ml, DataViewSchema inputSchema, string featureColumn, NetworkScorer scorer, KeyValues? keyValues)
    {
        var column = ImageColumns.Require(inputSchema, featureColumn, "image");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType } vector || vector.ItemType != NumberDataViewType.Single || vector.Size != scorer.Shape.Size)
            throw new ArgumentException(
                $"Column '{featureColumn}' has type {column.Type}; the model expects a vector of {scorer.Shape.Size} floats ({scorer.Shape}).");

        var input = SchemaDefinition.Create(typeof(ImageInput));
        input[0].ColumnName = featureColumn;
        input[0].ColumnType = column.Type;

        var output = SchemaDefinition.Create(typeof(ScoreOutput));
        output[nameof(ScoreOutput.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, scorer.Classes);
        var predicted = output[nameof(ScoreOutput.PredictedLabel)];
        predicted.ColumnType = new KeyDataViewType(typeof(uint), scorer.Classes);
        keyValues?.AddTo(predicted);

        void Map(ImageInput source, ScoreOutput destination)
        {
            var probabilities = scorer.ScoreOne(source.Image);
            destination.Score = probabilities;
            // For key columns, ML.NET's row objects hold the 0-based class index; the IDataView key is index + 1.
            destination.PredictedLabel = (uint)MostProbable(probabilities);
        }

        var estimator = ml.Transforms.CustomMapping<ImageInput, ScoreOutput>(Map, contractName: null, input, output);
        return estimator.Fit(ml.Data.LoadFromEnumerable(Array.Empty<ImageInput>(), input));
    }

    /// <summary>The index of the highest probability (the first one on ties).</summary>
    internal static int MostProbable(ReadOnlySpan<float> probabilities)
    {
        int best = 0;
        for (int c = 1; c < probabilities.Length; c++)
            if (probabilities[c] > probabilities[best]) best = c;
        return best;
    }

    /// <summary>
    /// The schema shape after the mapping. <c>SchemaShape.Column</c> cannot be built outside ML.NET,
    /// so a mapping estimator of the same columns computes it.
    /// </summary>
    public static SchemaShape OutputSchemaShape(SchemaShape inputSchema, string featureColumn, SchemaShape.Column label)
    {
        var input = SchemaDefinition.Create(typeof(ImageInput));
        input[0].ColumnName = featureColumn;
        var output = SchemaDefinition.Create(typeof(ScoreOutput));
        var predicted = output[nameof(ScoreOutput.PredictedLabel)];
        predicted.ColumnType = new KeyDataViewType(typeof(uint), 2);
        // MapKeyToValue downstream checks that PredictedLabel carries key values of the label's type.
        var labelValues = label.Annotations.FirstOrDefault(a => a.Name == KeyValues.KeyValuesKind);
        if (labelValues.Name is not null) KeyValues.Placeholder(labelValues.ItemType)?.AddTo(predicted);
        return new MLContext().Transforms.CustomMapping<ImageInput, ScoreOutput>((_, _) => { }, null, input, output)
            .GetOutputSchema(inputSchema);
    }

    /// <summary>The mapping's input row.</summary>
    public sealed class ImageInput
    {
        /// <summary>The image vector (renamed to the feature column by the schema definition).</summary>
        public float[] Image { get; set; } = [];
    }

    /// <summary>The mapping's output row.</summary>
    public sealed class ScoreOutput
    {
        /// <summary>Class probabilities.</summary>
        public float[] Score { get; set; } = [];

        /// <summary>The most probable class as a 0-based index (ML.NET stores it as key index + 1).</summary>
        public uint PredictedLabel { get; set; }
    }
}
