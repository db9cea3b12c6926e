using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MLToolkit.UnitTests.Onnx;

/// <summary>Runs an exported file with ONNX Runtime alone, as a serving app without libtorch would.</summary>
internal static class OnnxRunner
{
    /// <summary>The named outputs for a batch of <paramref name="count"/> images of <paramref name="shape"/> (C, H, W).</summary>
    public static Dictionary<string, float[]> Run(string path, float[] images, int count, int[] shape)
    {
        using var session = new InferenceSession(path);
        var input = new DenseTensor<float>(images, [count, .. shape]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.InputName, input)]);
        return results.Where(r => r.Value is Tensor<float>).ToDictionary(r => r.Name, r => r.AsEnumerable<float>().ToArray());
    }

    /// <summary>The metadata the exporter wrote.</summary>
    public static IReadOnlyDictionary<string, string> Metadata(string path)
    {
        using var session = new InferenceSession(path);
        return session.ModelMetadata.CustomMetadataMap;
    }

    /// <summary>Asserts that two probability arrays agree within <paramref name="tolerance"/> and pick the same class per row.</summary>
    public static void AssertSameProbabilities(float[] expected, float[] actual, int classes, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= tolerance, $"{what}: largest probability difference {worst:E2} > {tolerance:E0}");
        for (int row = 0; row < expected.Length / classes; row++)
        {
            var e = expected.AsSpan(row * classes, classes);
            var a = actual.AsSpan(row * classes, classes);
            Assert.True(e.IndexOf(MaxOf(e)) == a.IndexOf(MaxOf(a)), $"{what}: row {row} predicts another class");
        }
    }

    static float MaxOf(Span<float> values)
    {
        float max = float.NegativeInfinity;
        foreach (float v in values) max = Math.Max(max, v);
        return max;
    }
}
