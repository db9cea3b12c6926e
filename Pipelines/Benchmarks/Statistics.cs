namespace MLToolkit.Pipelines.Benchmarks;

/// <summary>The summaries the benchmarks report of their rounds.</summary>
internal static class Statistics
{
    /// <summary>The middle value (the mean of the two middle ones for an even count): one slow round of a noisy machine does not move it.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("The median of no values is undefined.", nameof(values));
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
