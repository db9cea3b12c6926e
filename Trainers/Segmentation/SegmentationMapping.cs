using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Images;
using MLToolkit.Datasets.Segmentation;
using MLToolkit.Trainers.Scoring;

namespace MLToolkit.Trainers.Segmentation;

/// <summary>
/// The row mapping that adds the predicted mask (and optionally the per-pixel probabilities) to an image
/// column, as an ML.NET custom mapping: <c>Transform</c>, row-to-row mapping and <c>PredictionEngine</c> come with it.
/// </summary>
internal static class SegmentationMapping
{
    /// <summary>The mapping for <paramref name="inputSchema"/>.</summary>
    /// <exception cref="ArgumentException">The image column is missing or does not have the network's size.</exception>
    public static ITransformer Create(MLContext ml, DataViewSchema inputSchema, SegmentationTransformer model)
    {
        var scorer = model.Scorer;
        var shape = scorer.Shape;
        var column = ImageColumns.Require(inputSchema, model.FeatureColumnName, "image");
        if (column.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single || vector.Size != shape.Size)
            throw new ArgumentException($"Column '{model.FeatureColumnName}' has type {column.Type}; the model expects a vector of {shape.Size} floats ({shape}).");
        var input = Input(model.FeatureColumnName, column.Type);
        var output = Output(model.PredictedMaskColumnName, model.ScoresColumnName, shape, scorer.Classes);
        int plane = shape.Height * shape.Width, classes = scorer.Classes;

        void Map(ScoringMapping.ImageInput source, MaskOutput destination)
        {
            var probabilities = scorer.Score(source.Image, 1);
            destination.PredictedMask = MostProbable(probabilities, classes, plane);
            destination.Scores = model.ScoresColumnName is null ? [] : probabilities;
        }

        var estimator = ml.Transforms.CustomMapping<ScoringMapping.ImageInput, MaskOutput>(Map, contractName: null, input, output);
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<ScoringMapping.ImageInput>(), input);
        var mapping = estimator.Fit(empty);
        // Without a scores column the empty placeholder is dropped again.
        return model.ScoresColumnName is null
            ? mapping.Append(ml.Transforms.DropColumns(ScoresPlaceholder).Fit(mapping.Transform(empty)))
            : mapping;
    }

    const string ScoresPlaceholder = "MLToolkit.UnusedScores";

    /// <summary>The class of highest probability of every pixel (the first on ties).</summary>
    internal static uint[] MostProbable(float[] probabilities, int classes, int plane)
    {
        var mask = new uint[plane];
        for (int p = 0; p < plane; p++)
        {
            uint best = 0;
            for (int c = 1; c < classes; c++)
                if (probabilities[c * plane + p] > probabilities[best * plane + p]) best = (uint)c;
            mask[p] = best;
        }
        return mask;
    }

    static SchemaDefinition Input(string featureColumn, DataViewType type)
    {
        var input = SchemaDefinition.Create(typeof(ScoringMapping.ImageInput));
        input[0].ColumnName = featureColumn;
        input[0].ColumnType = type;
        return input;
    }

    static SchemaDefinition Output(string maskColumn, string? scoresColumn, ImageShape shape, int classes)
    {
        var output = SchemaDefinition.Create(typeof(MaskOutput));
        output[nameof(MaskOutput.PredictedMask)].ColumnName = maskColumn;
        output[maskColumn].ColumnType = SegmentationData.MaskType(shape.Height, shape.Width);
        output[nameof(MaskOutput.Scores)].ColumnName = scoresColumn ?? ScoresPlaceholder;
        output[scoresColumn ?? ScoresPlaceholder].ColumnType = scoresColumn is null
            ? new VectorDataViewType(NumberDataViewType.Single)
            : new VectorDataViewType(NumberDataViewType.Single, classes, shape.Height, shape.Width);
        return output;
    }

    /// <summary>The schema shape after the mapping (computed by a mapping estimator of the same columns).</summary>
    public static SchemaShape OutputSchemaShape(SchemaShape inputSchema, string featureColumn, string maskColumn, string? scoresColumn)
    {
        var input = SchemaDefinition.Create(typeof(ScoringMapping.ImageInput));
        input[0].ColumnName = featureColumn;
        var output = Output(maskColumn, scoresColumn, new ImageShape(1, 1, 1), 2);
        var ml = new MLContext();
        var shape = ml.Transforms.CustomMapping<ScoringMapping.ImageInput, MaskOutput>((_, _) => { }, null, input, output).GetOutputSchema(inputSchema);
        return scoresColumn is null ? ml.Transforms.DropColumns(ScoresPlaceholder).GetOutputSchema(shape) : shape;
    }

    /// <summary>The mapping's output row.</summary>
    public sealed class MaskOutput
    {
        /// <summary>The predicted class of every pixel, row-major.</summary>
        public uint[] PredictedMask { get; set; } = [];

        /// <summary>Per class, the probability of every pixel (empty when not asked for).</summary>
        public float[] Scores { get; set; } = [];
    }
}
