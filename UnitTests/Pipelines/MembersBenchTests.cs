using System.Text.Json;
using MLToolkit.Pipelines.Benchmarks;

namespace MLToolkit.UnitTests.Pipelines;

/// <summary><c>bench --members</c> from the command line, on a small slice (the figures it prints are not checked: timing).</summary>
public class MembersBenchTests
{
    [Fact]
    public void The_members_bench_fits_both_ways_and_names_the_setting_to_use()
    {
        var output = TestData.TempDirectory();
        var (exit, stdout, error) = HostCommandTests.Invoke("bench", "--members", "--rows", "300", "--rounds", "1", "--output", output);

        Assert.True(exit == 0, error);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory.GetDirectories(output).Single(), "metrics.json")));
        var root = metrics.RootElement;
        int members = root.GetProperty("Members").GetInt32();
        Assert.Equal(Math.Max(2, Environment.ProcessorCount), members);
        Assert.Equal(300, root.GetProperty("Rows").GetInt32());
        var fits = root.GetProperty("Fits").EnumerateArray().ToList();
        // Round 1 starts with side by side; the next round would start with one after another.
        Assert.Equal([members, 1], fits.Select(f => f.GetProperty("MembersAtOnce").GetInt32()));
        Assert.All(fits, f => Assert.True(f.GetProperty("Seconds").GetDouble() > 0));
        double speedup = root.GetProperty("Speedup").GetDouble();
        Assert.Equal(root.GetProperty("OneAfterAnotherMedianSeconds").GetDouble() / root.GetProperty("SideBySideMedianSeconds").GetDouble(), speedup, 9);
        Assert.Contains(MembersBenchmark.Advice(speedup, members), stdout);
    }

    [Theory]
    [InlineData(1.25, "set EnsembleOptions.MembersAtOnce = 2")]
    [InlineData(1.05, "within this machine's noise: keep the default, EnsembleOptions.MembersAtOnce = 1")]
    [InlineData(0.95, "within this machine's noise: keep the default, EnsembleOptions.MembersAtOnce = 1")]
    [InlineData(0.6, "0.60× as fast here: keep the default, EnsembleOptions.MembersAtOnce = 1")]
    public void Only_a_clear_gain_recommends_side_by_side(double speedup, string advice) =>
        Assert.Contains(advice, MembersBenchmark.Advice(speedup, members: 2));

    [Fact]
    public void Too_few_rows_are_refused_before_anything_is_written()
    {
        var output = TestData.TempDirectory();
        var (exit, _, error) = HostCommandTests.Invoke("bench", "--members", "--rows", "5", "--output", output);
        Assert.NotEqual(0, exit);
        Assert.Contains("--rows", error);
        Assert.Empty(Directory.GetFileSystemEntries(output));
    }
}
