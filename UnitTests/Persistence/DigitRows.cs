using Microsoft.ML.Data;

namespace MLToolkit.UnitTests.Persistence;

/// <summary>Input row of a PredictionEngine over MNIST pipelines.</summary>
public sealed class DigitInput
{
    [VectorType(1, 28, 28)]
    public float[] Image { get; set; } = [];
    public uint Label { get; set; }
}

/// <summary>Output row of a PredictionEngine over MNIST pipelines.</summary>
public sealed class DigitPrediction
{
    public uint PredictedLabel { get; set; }
    public float[] Score { get; set; } = [];
}
