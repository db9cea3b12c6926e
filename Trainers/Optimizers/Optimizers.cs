using MLToolkit.Trainers.Optimizers;

namespace MLToolkit;

/// <summary>Factory methods for optimizers.</summary>
public static class Optimizers
{
    /// <summary>Adam with Keras/PyTorch defaults (β1 0.9, β2 0.999, ε 1e-8 — Keras uses 1e-7).</summary>
    public static AdamSpec Adam(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0) => new(learningRate, beta1, beta2, epsilon, weightDecay);

    /// <summary>SGD with momentum (0.9 by default), optionally Nesterov.</summary>
    public static SgdSpec SgdMomentum(double learningRate = 0.01, double momentum = 0.9, bool nesterov = false,
        double weightDecay = 0) => new(learningRate, momentum, nesterov, weightDecay);
}
