// Usage: MLToolkit.Plots <metrics.json> <output folder>
// Writes loss.png, accuracy.png, learning-rate.png and confusion-matrix.png from an experiment's metrics.
using System.Text.Json;
using MLToolkit.Plots;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: MLToolkit.Plots <metrics.json> <output folder>");
    return 2;
}
try
{
    using var metrics = JsonDocument.Parse(File.ReadAllText(args[0]));
    foreach (var file in RunPlots.Write(metrics.RootElement, args[1])) Console.WriteLine(file);
    return 0;
}
catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
{
    Console.Error.WriteLine($"error: cannot plot '{args[0]}': {e.Message}");
    return 1;
}
