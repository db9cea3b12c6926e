using MLToolkit.Trainers.Optimization;

namespace MLToolkit;

/// <summary>Optimizers for <see cref="CnnOptions.Optimizer"/>.</summary>
public static class Optimizers
{
    /// <summary>Plain stochastic gradient descent.</summary>
    public static SgdSpec Sgd(double learningRate = 0.01, double weightDecay = 0) =>
        new() { LearningRate = learningRate, WeightDecay = weightDecay };

    /// <summary>SGD with (optionally Nesterov) momentum.</summary>
    public static SgdSpec SgdMomentum(double learningRate = 0.01, double momentum = 0.9, bool nesterov = false, double weightDecay = 0) =>
        new() { LearningRate = learningRate, Momentum = momentum, Nesterov = nesterov, WeightDecay = weightDecay };

    /// <summary>Nesterov accelerated gradient (SGD with Nesterov momentum).</summary>
    public static SgdSpec Nesterov(double learningRate = 0.01, double momentum = 0.9, double weightDecay = 0) =>
        SgdMomentum(learningRate, momentum, nesterov: true, weightDecay);

    /// <summary>AdaGrad.</summary>
    public static AdaGradSpec AdaGrad(double learningRate = 0.01, double weightDecay = 0) =>
        new() { LearningRate = learningRate, WeightDecay = weightDecay };

    /// <summary>AdaDelta.</summary>
    public static AdaDeltaSpec AdaDelta(double learningRate = 1.0, double rho = 0.9, double weightDecay = 0) =>
        new() { LearningRate = learningRate, Rho = rho, WeightDecay = weightDecay };

    /// <summary>RMSprop.</summary>
    public static RmsPropSpec RmsProp(double learningRate = 1e-3, double alpha = 0.99, double momentum = 0, double weightDecay = 0) =>
        new() { LearningRate = learningRate, Alpha = alpha, Momentum = momentum, WeightDecay = weightDecay };

    /// <summary>Adam.</summary>
    public static AdamSpec Adam(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0) =>
        new() { LearningRate = learningRate, Beta1 = beta1, Beta2 = beta2, Epsilon = epsilon, WeightDecay = weightDecay };

    /// <summary>AdamW: Adam with decoupled weight decay.</summary>
    public static AdamSpec AdamW(double learningRate = 1e-3, double weightDecay = 0.01, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) =>
        Adam(learningRate, beta1, beta2, epsilon, weightDecay) with { DecoupledWeightDecay = true };
}
