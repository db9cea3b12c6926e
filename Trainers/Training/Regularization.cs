using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Training;

/// <summary>
/// Regularisation applied by the training loop (dropout is a layer; weight decay is an optimizer
/// setting): L1 and L2 penalties on the weights of convolutions and dense layers, label smoothing
/// and gradient clipping.
/// </summary>
public sealed record Regularization
{
    readonly double _l1, _l2, _labelSmoothing;
    readonly double? _clip;

    /// <summary>λ of the L1 penalty λ·Σ|w| added to the loss (pushes weights to exactly zero).</summary>
    public double L1 { get => _l1; init => _l1 = NonNegative(value, nameof(L1)); }

    /// <summary>λ of the L2 penalty λ·Σw² added to the loss (Keras' kernel_regularizer=l2(λ)).</summary>
    public double L2 { get => _l2; init => _l2 = NonNegative(value, nameof(L2)); }

    /// <summary>Share of the target probability spread over all classes (0.1 is common): discourages over-confident scores.</summary>
    public double LabelSmoothing
    {
        get => _labelSmoothing;
        init => _labelSmoothing = value is >= 0 and < 1 ? value : throw new ArgumentException($"LabelSmoothing must be in [0, 1); it is {value}.", nameof(LabelSmoothing));
    }

    /// <summary>Largest global L2 norm of the gradients; longer gradients are scaled down to it. Null: no clipping.</summary>
    public double? GradientClipNorm
    {
        get => _clip;
        init => _clip = value is null || value > 0 ? value : throw new ArgumentException($"GradientClipNorm must be positive or null; it is {value}.", nameof(GradientClipNorm));
    }

    static double NonNegative(double value, string name) =>
        value >= 0 && !double.IsInfinity(value) ? value : throw new ArgumentException($"{name} must be a finite number >= 0; it is {value}.", name);

    /// <summary>The weight penalty for <paramref name="network"/>, or null when there is none. Biases and batch-norm scales are not penalised.</summary>
    public Tensor? Penalty(nn.Module network)
    {
        if (L1 == 0 && L2 == 0) return null;
        Tensor? penalty = null;
        foreach (var weight in network.parameters().Where(p => p.dim() > 1))
        {
            var term = L1 * weight.abs().sum() + L2 * weight.square().sum();
            penalty = penalty is null ? term : penalty + term;
        }
        return penalty;
    }

    /// <summary>Clips the gradients of <paramref name="parameters"/> when <see cref="GradientClipNorm"/> is set.</summary>
    public void Clip(IEnumerable<Parameter> parameters)
    {
        if (GradientClipNorm is { } norm) nn.utils.clip_grad_norm_(parameters, norm);
    }
}
