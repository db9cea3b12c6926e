using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Scoring;

namespace MLToolkit.Trainers.Detection;

/// <summary>The row mapping that adds a detector's labels, boxes and scores to an image column (an ML.NET custom mapping).</summary>
internal static class DetectionMapping
{
    /// <summary>The mapping for <paramref name="inputSchema"/>.</summary>
    /// <exception cref="ArgumentException">The image column is missing or does not have the network's size.</exception>
    public static ITransformer Create(MLContext ml, DataViewSchema inputSchema, DetectionTransformer model)
    {
        var settings = model.Settings;
        var shape = model.Scorer.Shape;
        var column = ImageColumns.Require(inputSchema, settings.FeatureColumnName, "image");
        if (column.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single || vector.Size != shape.Size)
            throw new ArgumentException($"Column '{settings.FeatureColumnName}' has type {column.Type}; the model expects a vector of {shape.Size} floats ({shape}).");
        var input = SchemaDefinition.Create(typeof(ScoringMapping.ImageInput));
        input[0].ColumnName = settings.FeatureColumnName;
        input[0].ColumnType = column.Type;
        var output = Output(settings);

        void Map(ScoringMapping.ImageInput source, DetectionOutput destination)
        {
            var found = model.Detect(source.Image, 1)[0];
            destination.PredictedLabels = found.Select(d => (uint)d.Label + 1).ToArray();
            destination.PredictedBoxes = found.SelectMany(d => new[] { d.Box.XMin, d.Box.YMin, d.Box.XMax, d.Box.YMax }).ToArray();
            destination.Scores = found.Select(d => d.Score).ToArray();
        }

        var estimator = ml.Transforms.CustomMapping<ScoringMapping.ImageInput, DetectionOutput>(Map, contractName: null, input, output);
        return estimator.Fit(ml.Data.LoadFromEnumerable(Array.Empty<ScoringMapping.ImageInput>(), input));
    }

    static SchemaDefinition Output(DetectionOptions settings)
    {
        var output = SchemaDefinition.Create(typeof(DetectionOutput));
        output[nameof(DetectionOutput.PredictedLabels)].ColumnName = settings.PredictedLabelsColumnName;
        output[settings.PredictedLabelsColumnName].ColumnType = new VectorDataViewType(new KeyDataViewType(typeof(uint), settings.Classes));
        if (settings.ClassNames is { } names)
            output[settings.PredictedLabelsColumnName].AddAnnotation("KeyValues", new VBuffer<ReadOnlyMemory<char>>(names.Count, names.Select(n => n.AsMemory()).ToArray()),
                new VectorDataViewType(TextDataViewType.Instance, names.Count));
        output[nameof(DetectionOutput.PredictedBoxes)].ColumnName = settings.PredictedBoxesColumnName;
        output[nameof(DetectionOutput.Scores)].ColumnName = settings.ScoresColumnName;
        return output;
    }

    /// <summary>The schema shape after the mapping (computed by a mapping estimator of the same columns).</summary>
    public static SchemaShape OutputSchemaShape(SchemaShape inputSchema, DetectionOptions settings)
    {
        var input = SchemaDefinition.Create(typeof(ScoringMapping.ImageInput));
        input[0].ColumnName = settings.FeatureColumnName;
        return new MLContext().Transforms.CustomMapping<ScoringMapping.ImageInput, DetectionOutput>((_, _) => { }, null, input, Output(settings)).GetOutputSchema(inputSchema);
    }

    /// <summary>The mapping's output row.</summary>
    public sealed class DetectionOutput
    {
        /// <summary>Class keys (index + 1), one per detection.</summary>
        public uint[] PredictedLabels { get; set; } = [];

        /// <summary>xmin, ymin, xmax, ymax per detection.</summary>
        public float[] PredictedBoxes { get; set; } = [];

        /// <summary>Score per detection, highest first.</summary>
        public float[] Scores { get; set; } = [];
    }
}
