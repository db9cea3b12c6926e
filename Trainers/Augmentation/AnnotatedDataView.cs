using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Datasets.Images;

namespace MLToolkit.Trainers.Augmentation;

/// <summary>
/// The input data unchanged, row for row, with one text annotation added to one column. ML.NET has
/// no public transform that only annotates, and copying every image would cost time at prediction.
/// </summary>
sealed class AnnotatedDataView : IDataView
{
    readonly IDataView _input;

    public AnnotatedDataView(IDataView input, string column, string kind, string value)
    {
        _input = input;
        Schema = Annotate(input.Schema, column, kind, value);
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => _input.CanShuffle;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(_input.GetRowCursor(Map(columnsNeeded), rand), Schema);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        _input.GetRowCursorSet(Map(columnsNeeded), n, rand).Select(c => (DataViewRowCursor)new Cursor(c, Schema)).ToArray();

    IEnumerable<DataViewSchema.Column> Map(IEnumerable<DataViewSchema.Column> columns) =>
        columns.Select(c => _input.Schema[c.Index]);

    /// <summary>The schema with <paramref name="kind"/> = <paramref name="value"/> added to the annotations of <paramref name="column"/>.</summary>
    public static DataViewSchema Annotate(DataViewSchema schema, string column, string kind, string value)
    {
        var target = ImageColumns.Require(schema, column, "image");
        var builder = new DataViewSchema.Builder();
        foreach (var c in schema)
        {
            if (c.Index != target.Index)
            {
                builder.AddColumn(c.Name, c.Type, c.Annotations);
                continue;
            }
            var annotations = new DataViewSchema.Annotations.Builder();
            annotations.Add(c.Annotations, name => name != kind);
            annotations.Add(kind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = value.AsMemory());
            builder.AddColumn(c.Name, c.Type, annotations.ToAnnotations());
        }
        return builder.ToSchema();
    }

    sealed class Cursor(DataViewRowCursor input, DataViewSchema schema) : DataViewRowCursor
    {
        public override DataViewSchema Schema => schema;
        public override long Position => input.Position;
        public override long Batch => input.Batch;
        public override bool MoveNext() => input.MoveNext();
        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => input.IsColumnActive(input.Schema[column.Index]);
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => input.GetGetter<TValue>(input.Schema[column.Index]);

        protected override void Dispose(bool disposing)
        {
            if (disposing) input.Dispose();
            base.Dispose(disposing);
        }
    }
}
