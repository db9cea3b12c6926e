using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLToolkit.Trainers.Scoring;

/// <summary>
/// The output of <c>CnnTransformer.Transform</c>: the same columns as the row mapping, but the networks
/// score the images a batch at a time instead of one row at a time — one forward pass per batch instead
/// of per image, which makes <c>Evaluate</c> of an ensemble or of test-time augmentation many times faster.
/// A second cursor over the input reads ahead for the next batch of images, so the input's other columns
/// pass through untouched and in order. <c>PredictionEngine</c> keeps using the row mapping.
/// </summary>
sealed class BatchScoredDataView : IDataView
{
    readonly IDataView _input;
    readonly IDataView _mapped;
    readonly NetworkScorer _scorer;
    readonly int _imageColumn;
    readonly int _batchSize;

    /// <summary>Scores <paramref name="input"/>'s image column in batches; <paramref name="mapped"/> is the row mapping's output, whose schema this view has.</summary>
    public BatchScoredDataView(IDataView input, IDataView mapped, string featureColumn, NetworkScorer scorer, int batchSize)
    {
        (_input, _mapped, _scorer, _batchSize) = (input, mapped, scorer, batchSize);
        _imageColumn = input.Schema[featureColumn].Index;
        ScoreIndex = mapped.Schema[ScoringMapping.ScoreColumn].Index;
        PredictedIndex = mapped.Schema[ScoringMapping.PredictedLabelColumn].Index;
    }

    int ScoreIndex { get; }

    int PredictedIndex { get; }

    /// <inheritdoc />
    public bool CanShuffle => false;

    /// <inheritdoc />
    public DataViewSchema Schema => _mapped.Schema;

    /// <inheritdoc />
    public long? GetRowCount() => _input.GetRowCount();

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        bool scores = needed.Any(c => c.Index == ScoreIndex || c.Index == PredictedIndex);
        // Without the scores there is nothing to batch; the row mapping then scores nothing either.
        if (!scores) return _mapped.GetRowCursor(needed, rand);
        var passThrough = needed.Where(c => c.Index < _input.Schema.Count).Select(c => _input.Schema[c.Index]);
        return new Cursor(this, _input.GetRowCursor(passThrough), _input.GetRowCursor([_input.Schema[_imageColumn]]), needed);
    }

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    sealed class Cursor : DataViewRowCursor
    {
        readonly BatchScoredDataView _view;
        readonly DataViewRowCursor _rows;
        readonly DataViewRowCursor _images;
        readonly ValueGetter<VBuffer<float>> _image;
        readonly HashSet<int> _active;
        readonly float[] _pixels;
        float[] _probabilities = [];
        long _batchStart;
        int _batchCount;
        long _position = -1;
        VBuffer<float> _buffer;

        public Cursor(BatchScoredDataView view, DataViewRowCursor rows, DataViewRowCursor images, IEnumerable<DataViewSchema.Column> active)
        {
            (_view, _rows, _images) = (view, rows, images);
            _image = images.GetGetter<VBuffer<float>>(images.Schema[view._imageColumn]);
            _active = active.Select(c => c.Index).ToHashSet();
            _pixels = new float[view._batchSize * view._scorer.Shape.Size];
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _rows.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (!_rows.MoveNext()) return false;
            _position++;
            if (_position >= _batchStart + _batchCount) ScoreNextBatch();
            return true;
        }

        /// <summary>Reads up to a batch of images with the look-ahead cursor and scores them in one pass.</summary>
        void ScoreNextBatch()
        {
            int size = _view._scorer.Shape.Size;
            _batchStart = _position;
            _batchCount = 0;
            while (_batchCount < _view._batchSize && _images.MoveNext())
            {
                _image(ref _buffer);
                if (_buffer.Length != size)
                    throw new InvalidOperationException($"Row {_position + _batchCount}: the image has {_buffer.Length} values; the model expects {size} ({_view._scorer.Shape}).");
                _buffer.CopyTo(_pixels.AsSpan(_batchCount * size, size));
                _batchCount++;
            }
            _probabilities = _view._scorer.Score(_pixels.AsSpan(0, _batchCount * size), _batchCount);
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int classes = _view._scorer.Classes;
            if (column.Index == _view.ScoreIndex)
            {
                ValueGetter<VBuffer<float>> score = (ref VBuffer<float> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, classes);
                    _probabilities.AsSpan(Offset(classes), classes).CopyTo(editor.Values);
                    value = editor.Commit();
                };
                return (ValueGetter<TValue>)(Delegate)score;
            }
            if (column.Index == _view.PredictedIndex)
            {
                // Key values are 1-based; 0 means missing.
                ValueGetter<uint> predicted = (ref uint value) =>
                    value = (uint)ScoringMapping.MostProbable(_probabilities.AsSpan(Offset(classes), classes)) + 1;
                return (ValueGetter<TValue>)(Delegate)predicted;
            }
            return _rows.GetGetter<TValue>(_rows.Schema[column.Index]);
        }

        int Offset(int classes) => (int)(_position - _batchStart) * classes;

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _rows.Dispose();
                _images.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
