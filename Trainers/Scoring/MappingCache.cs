using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLToolkit.Trainers.Scoring;

/// <summary>
/// The row mappings of one trained model, built once per type of its image column and reused: building a custom
/// mapping costs far more than scoring a row, and <c>PredictionEngine</c>s ask for one each time they are made.
/// Shared by the classifier, segmentation and detection transformers.
/// </summary>
internal sealed class MappingCache(string featureColumnName, Func<MLContext, DataViewSchema, ITransformer> create)
{
    readonly MLContext _context = new();
    readonly ConcurrentDictionary<DataViewType, ITransformer> _mappings = new();

    /// <summary>The mapping for <paramref name="inputSchema"/> (built now, and not kept, when the image column is missing, so that the error names it).</summary>
    public ITransformer For(DataViewSchema inputSchema) =>
        inputSchema.GetColumnOrNull(featureColumnName) is { } column
            ? _mappings.GetOrAdd(column.Type, _ => create(_context, inputSchema))
            : create(_context, inputSchema);
}
