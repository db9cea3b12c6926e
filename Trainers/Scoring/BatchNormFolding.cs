using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Scoring;

/// <summary>
/// An inference copy of a trained network in which each convolution or dense layer directly followed by batch
/// normalization is one layer: in evaluation mode batch norm is a fixed per-channel scale and shift, which the
/// weights and bias of the layer before it can absorb (as <c>torch.jit.freeze</c> and ONNX Runtime do). One image's
/// forward pass of the recipe network then runs 14 operations instead of 18 (BENCHMARKS.md, "PredictionEngine
/// latency"). Only <see cref="Sequential"/> chains are rewritten (their forward pass is the order of their children);
/// other modules are kept as they are, shared with the trained network, which stays unchanged for saving and export.
/// </summary>
internal static class BatchNormFolding
{
    /// <summary>
    /// The folded copy of <paramref name="network"/> (in evaluation mode), or <paramref name="network"/> itself when
    /// nothing folds. <paramref name="created"/> receives the new modules: only they belong to the copy.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Fold(nn.Module<Tensor, Tensor> network, List<nn.Module> created)
    {
        if (network is not Sequential sequential) return network;
        var children = sequential.named_children().ToList();
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>(children.Count);
        bool changed = false;
        for (int i = 0; i < children.Count; i++)
        {
            var (name, module) = children[i];
            var next = i + 1 < children.Count ? children[i + 1].module : null;
            nn.Module<Tensor, Tensor>? folded = (module, next) switch
            {
                (Conv2d conv, BatchNorm2d norm) => FoldedConv2d.TryCreate(conv, norm),
                (Linear dense, BatchNorm1d norm) => FoldedLinear.TryCreate(dense, norm),
                _ => null,
            };
            if (folded is not null)
            {
                created.Add(folded);
                layers.Add((name, folded));
                i++; // the batch norm is in the folded layer
                changed = true;
                continue;
            }
            var inner = module as nn.Module<Tensor, Tensor> ?? throw new InvalidOperationException($"Layer '{name}' of a Sequential does not map a tensor to a tensor.");
            var foldedInner = Fold(inner, created);
            changed |= !ReferenceEquals(foldedInner, inner);
            layers.Add((name, foldedInner));
        }
        if (!changed) return network;
        var copy = nn.Sequential(layers);
        copy.eval();
        created.Add(copy);
        return copy;
    }

    /// <summary>Batch norm with running statistics (without them evaluation normalises by the batch's own, which no weight can absorb).</summary>
    static bool Foldable(BatchNorm norm) => norm.running_mean is not null && norm.running_var is not null;

    /// <summary>
    /// Batch norm's per-channel scale (γ / √(variance + ε)) and the bias that, after the layer's weights are scaled by it,
    /// gives what batch norm of the layer's output gives; null without running statistics. Made in their own dispose
    /// scope and detached from every scope: a caller's open scope must not take the scoring copy's tensors.
    /// </summary>
    static (Tensor Scale, Tensor Bias)? ScaleAndBias(BatchNorm norm, Tensor? layerBias)
    {
        if (!Foldable(norm)) return null;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var mean = norm.running_mean!.detach();
        var scale = (norm.weight?.detach() ?? torch.ones_like(mean)) / (norm.running_var!.detach() + norm.eps).sqrt();
        var shift = norm.bias?.detach() ?? torch.zeros_like(mean);
        var bias = ((layerBias?.detach() ?? torch.zeros_like(mean)) - mean) * scale + shift;
        return (scale.DetachFromDisposeScope(), bias.DetachFromDisposeScope());
    }

    /// <summary>A convolution with batch norm's scale in its weights and its shift in its bias.</summary>
    sealed class FoldedConv2d : nn.Module<Tensor, Tensor>
    {
        readonly Tensor _weight, _bias;
        readonly long[] _stride, _padding, _dilation;
        readonly long _groups;

        FoldedConv2d(Tensor weight, Tensor bias, Conv2d conv, long[] padding) : base("folded_conv2d")
        {
            (_weight, _bias, _stride, _padding, _dilation, _groups) = (weight, bias, conv.stride, padding, conv.dilation, conv.groups);
            register_buffer("weight", _weight);
            register_buffer("bias", _bias);
        }

        /// <summary>The folded layer, or null where the convolution pads otherwise than with zeros on given sides ("same", reflection…).</summary>
        public static FoldedConv2d? TryCreate(Conv2d conv, BatchNorm2d norm)
        {
            if (conv.padding_type is not null || conv.padding is not { } padding || conv.padding_mode != PaddingModes.Zeros) return null;
            if (ScaleAndBias(norm, conv.bias) is not { } folded) return null;
            var (scale, bias) = folded;
            using (scale)
            using (torch.no_grad())
                return new FoldedConv2d((conv.weight!.detach() * scale.reshape(-1, 1, 1, 1)).DetachFromDisposeScope(), bias, conv, padding);
        }

        public override Tensor forward(Tensor input) => nn.functional.conv2d(input, _weight, _bias, _stride, _padding, _dilation, _groups);
    }

    /// <summary>A dense layer with batch norm's scale in its weights and its shift in its bias.</summary>
    sealed class FoldedLinear : nn.Module<Tensor, Tensor>
    {
        readonly Tensor _weight, _bias;

        FoldedLinear(Tensor weight, Tensor bias) : base("folded_linear")
        {
            (_weight, _bias) = (weight, bias);
            register_buffer("weight", _weight);
            register_buffer("bias", _bias);
        }

        /// <summary>The folded layer, or null where batch norm has no running statistics.</summary>
        public static FoldedLinear? TryCreate(Linear dense, BatchNorm1d norm)
        {
            if (ScaleAndBias(norm, dense.bias) is not { } folded) return null;
            var (scale, bias) = folded;
            using (scale)
            using (torch.no_grad())
                return new FoldedLinear((dense.weight!.detach() * scale.reshape(-1, 1)).DetachFromDisposeScope(), bias);
        }

        public override Tensor forward(Tensor input) => nn.functional.linear(input, _weight, _bias);
    }
}
