using System.Diagnostics;
using System.Net.Http.Json;

namespace MLToolkit.Samples.DigitService;

/// <summary>
/// <c>--load-test N [--concurrency C]</c>: serves the model on a free local port once with an engine
/// pool and once with per-request engines, sends N <c>POST /predict</c> requests (784 JSON pixels)
/// with C in flight, and prints requests per second and p50/p99 latency for each.
/// </summary>
public static class LoadTest
{
    /// <summary>Runs the comparison; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string model, int requests, int concurrency)
    {
        var digit = new float[784];
        for (int y = 6; y < 22; y++) digit[y * 28 + 14] = digit[y * 28 + 13] = 1f; // a "1"
        Console.WriteLine($"{requests} requests, {concurrency} in flight, model {model}");
        Console.WriteLine($"{"engines",-12} {"requests/s",10} {"p50 ms",8} {"p99 ms",8}");
        foreach (var mode in new[] { "pool", "per-request" })
        {
            await using var app = DigitApp.Create(["--model", model, "--engines", mode, "--urls", "http://127.0.0.1:0"]);
            await app.StartAsync();
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            for (int i = 0; i < 50; i++) (await client.PostAsJsonAsync("/predict", new { pixels = digit })).EnsureSuccessStatusCode(); // warm-up

            var latencies = new double[requests];
            int next = -1;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                for (int i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
                {
                    var start = Stopwatch.GetTimestamp();
                    (await client.PostAsJsonAsync("/predict", new { pixels = digit })).EnsureSuccessStatusCode();
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }));
            clock.Stop();
            Array.Sort(latencies);
            Console.WriteLine($"{mode,-12} {requests / clock.Elapsed.TotalSeconds,10:F0} {latencies[requests / 2],8:F2} {latencies[(int)(requests * 0.99)],8:F2}");
            await app.StopAsync();
        }
        return 0;
    }
}
