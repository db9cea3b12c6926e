namespace MLToolkit.Trainers.Training;

/// <summary>
/// Equal-length rows of values packed one after another in one array, ready to become a tensor. The array is
/// sized from the row count where the data view knows it, so a large dataset is held once while it is read (a
/// <c>List</c> would hold it in a doubling buffer and again in the copy <c>ToArray</c> makes: for 60,000 segmentation
/// scenes that was most of 12 GB).
/// </summary>
internal sealed class PackedRows<T>(long? expectedRows, int valuesPerRow) where T : unmanaged
{
    T[] _values = new T[Math.Max(1, Math.Min(Array.MaxLength, (expectedRows ?? 1024) * valuesPerRow))];

    /// <summary>Rows added so far.</summary>
    public long Rows { get; private set; }

    /// <summary>The next row's place, to be filled by the caller.</summary>
    /// <exception cref="ArgumentException">The rows would exceed the largest .NET array.</exception>
    public Span<T> Next()
    {
        long offset = Rows * valuesPerRow, end = offset + valuesPerRow;
        if (end > Array.MaxLength)
            throw new ArgumentException($"The data holds more than {Array.MaxLength:N0} values; train on fewer rows.");
        if (end > _values.Length)
            Array.Resize(ref _values, (int)Math.Min(Array.MaxLength, Math.Max(_values.Length * 2L, end)));
        Rows++;
        return _values.AsSpan((int)offset, valuesPerRow);
    }

    /// <summary>The packed values, trimmed to the rows added.</summary>
    public T[] ToArray()
    {
        if (_values.Length != Rows * valuesPerRow) Array.Resize(ref _values, (int)(Rows * valuesPerRow));
        return _values;
    }
}
