using InputNormalization = MLToolkit.Trainers.NetworkLayers.InputNormalization;
using MLToolkit.Trainers.NetworkLayers.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Onnx.Export;

/// <summary>
/// A value of the graph being written: its ONNX name and the value the TorchSharp module gives for a probe
/// batch of one image, whose shape sizes the nodes that need it (padding, cropping, adaptive pooling).
/// </summary>
internal readonly record struct OnnxValue(string Name, Tensor Probe)
{
    /// <summary>The per-sample shape (without the batch dimension).</summary>
    public long[] Shape => Probe.shape[1..];
}

/// <summary>
/// Writes a TorchSharp network, module by module, as ONNX nodes in evaluation mode (batch norm with its
/// running statistics, dropout and auxiliary classifiers off): TorchSharp's built-in layers the layer API
/// and the zoo use, and the toolkit's own composite modules. A module it does not know is refused by its
/// path in the network and its type, because guessing its computation would give a graph that scores differently.
/// </summary>
internal sealed class ModuleExporter(OnnxGraphWriter graph)
{
    const long End = long.MaxValue;

    /// <summary>Writes <paramref name="module"/> applied to <paramref name="x"/>; <paramref name="path"/> names it in messages and value names.</summary>
    /// <exception cref="NotSupportedException">The module (or one inside it) has no ONNX translation.</exception>
    public OnnxValue Export(nn.Module<Tensor, Tensor> module, OnnxValue x, string path)
    {
        switch (module)
        {
            case Sequential sequential:
                foreach (var (name, child) in sequential.named_children())
                    x = Export(Child(child, path, name), x, Join(path, name));
                return x;
            case LayerNetwork network:
                if (network.Parts.Input is { } prepare) x = Export(prepare, x, Join(path, "input"));
                return Export(network.Parts.Body, x, Join(path, "body"));
            case InputNormalization.Module normalization:
                return Normalize(normalization.Settings, x, path);
            case ResidualModule residual:
            {
                var (body, shortcut, after) = residual.Parts;
                var sum = Add(Export(body, x, Join(path, "body")), shortcut is null ? x : Export(shortcut, x, Join(path, "shortcut")));
                return after is null ? sum : Export(after, sum, Join(path, "after"));
            }
            case ConcatModule concat:
                return Concat(concat.Branches.Select((b, i) => Export(b, x, Join(path, $"branch{i + 1}"))).ToArray(), 1);
            case DualPathModule dual:
                return DualPath(dual, x, path);
            case CropToInputModule crop:
                return CropToInput(crop, x, path);
            case AuxiliaryTapModule:
                return x; // the auxiliary head adds to the loss while training only
            case Dropout or DropoutModule or Identity:
                return x;
            case Conv2d conv:
                return Convolution("Conv", conv, x, path);
            case ConvTranspose2d transposed:
                return Convolution("ConvTranspose", transposed, x, path);
            case Linear linear:
                return Leaf(module, x, path, "Gemm", linear.bias is null
                    ? [x.Name, graph.Weight(path + ".weight", linear.weight!)]
                    : [x.Name, graph.Weight(path + ".weight", linear.weight!), graph.Weight(path + ".bias", linear.bias)], ("transB", 1));
            case BatchNorm2d or BatchNorm1d:
                return BatchNorm((NormBase)(object)module, x, path);
            case ReLU:
                return Leaf(module, x, path, "Relu", [x.Name]);
            case LeakyReLU leaky:
                return Leaf(module, x, path, "LeakyRelu", [x.Name], ("alpha", leaky.negative_slope));
            case ELU elu:
                return Leaf(module, x, path, "Elu", [x.Name], ("alpha", elu.alpha));
            case Sigmoid:
                return Leaf(module, x, path, "Sigmoid", [x.Name]);
            case Tanh:
                return Leaf(module, x, path, "Tanh", [x.Name]);
            case Softmax softmax:
                return Leaf(module, x, path, "Softmax", [x.Name], ("axis", softmax.dim));
            case GELU gelu:
                return Gelu(gelu, x, path);
            case MaxPool2d pool:
                return Pool(module, x, path, "MaxPool", pool.kernel_size, pool.stride, pool.padding, pool.ceil_mode, pool.dilation);
            case AvgPool2d pool when pool.divisor_override is null:
                return Pool(module, x, path, "AveragePool", pool.kernel_size, pool.stride, pool.padding, pool.ceil_mode, null, pool.count_include_pad);
            case AdaptiveAvgPool2d:
                return AdaptiveAveragePool(module, x, path);
            case GlobalAvgPoolModule:
                return Leaf(module, x, path, "ReduceMean", [x.Name], ("axes", new long[] { 2, 3 }), ("keepdims", 0));
            case StochasticPoolModule stochastic:
                return StochasticPool(stochastic, x, path);
            case PadShortcutModule pad:
                return PadShortcut(pad, x, path);
            case LocalResponseNorm lrn when lrn.size % 2 == 1: // even windows are placed differently by ONNX and torch
                return Leaf(module, x, path, "LRN", [x.Name], ("size", lrn.size), ("alpha", lrn.alpha), ("beta", lrn.beta), ("bias", lrn.k));
            case Flatten flatten when flatten.start_dim == 1 && flatten.end_dim == -1:
                return Leaf(module, x, path, "Flatten", [x.Name], ("axis", 1));
            case Upsample upsample:
                return Upsample(upsample, x, path);
            default:
                throw new NotSupportedException(
                    $"The ONNX exporter does not know the module '{(path.Length == 0 ? "(network)" : path)}' ({module.GetType().FullName}" +
                    (module is AvgPool2d or LocalResponseNorm or Flatten ? " with these settings" : "") +
                    "). Export supports the layer API's layers, the zoo's networks and TorchSharp's Conv2d, ConvTranspose2d, Linear, BatchNorm, " +
                    "pooling, activation, Flatten, Dropout and Upsample modules.");
        }
    }

    static nn.Module<Tensor, Tensor> Child(nn.Module child, string path, string name) =>
        child as nn.Module<Tensor, Tensor> ?? throw new NotSupportedException($"The ONNX exporter cannot follow '{Join(path, name)}' ({child.GetType().FullName}): it is not a tensor-to-tensor module.");

    static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    /// <summary>One node for a leaf module; its probe is the module's own output.</summary>
    OnnxValue Leaf(nn.Module<Tensor, Tensor> module, OnnxValue x, string path, string op, string[] inputs, params (string, object)[] attributes) =>
        new(graph.Node(op, inputs, graph.Fresh(path.Length == 0 ? op.ToLowerInvariant() : path), attributes), module.call(x.Probe));

    OnnxValue Node(string op, string[] inputs, Tensor probe, params (string, object)[] attributes) =>
        new(graph.Node(op, inputs, attributes), probe);

    OnnxValue Add(OnnxValue a, OnnxValue b) => Node("Add", [a.Name, b.Name], a.Probe + b.Probe);

    OnnxValue Concat(OnnxValue[] parts, int axis) =>
        parts.Length == 1 ? parts[0] : Node("Concat", parts.Select(p => p.Name).ToArray(), torch.cat(parts.Select(p => p.Probe).ToArray(), axis), ("axis", axis));

    /// <summary>Channels [<paramref name="start"/>, <paramref name="end"/>) of an N × C × … value.</summary>
    OnnxValue Channels(OnnxValue x, long start, long end) =>
        Node("Slice", [x.Name, graph.Int64s("starts", start), graph.Int64s("ends", end), graph.Int64s("axes", 1)], x.Probe.narrow(1, start, end - start));

    OnnxValue Convolution(string op, Convolution conv, OnnxValue x, string path)
    {
        if (conv.padding_mode != PaddingModes.Zeros || conv.padding_type is not null || conv.padding is not { Length: 2 })
            throw new NotSupportedException($"The ONNX exporter writes convolutions with explicit zero padding only; '{path}' uses {conv.padding_mode} padding{(conv.padding_type is null ? "" : $" '{conv.padding_type}'")}.");
        var inputs = new List<string> { x.Name, graph.Weight(path + ".weight", conv.weight!) };
        if (conv.bias is not null) inputs.Add(graph.Weight(path + ".bias", conv.bias));
        var attributes = new List<(string, object)>
        {
            ("kernel_shape", conv.kernel_size), ("strides", conv.stride), ("dilations", conv.dilation), ("group", conv.groups),
            ("pads", new[] { conv.padding![0], conv.padding[1], conv.padding[0], conv.padding[1] }),
        };
        if (conv.transposed && conv.output_padding.Any(p => p != 0)) attributes.Add(("output_padding", conv.output_padding));
        return Leaf(conv, x, path, op, [.. inputs], [.. attributes]);
    }

    /// <summary>Batch norm at prediction is a per-channel scale and shift, folded from its running statistics.</summary>
    OnnxValue BatchNorm(NormBase norm, OnnxValue x, string path)
    {
        if (!norm.track_running_stats || norm.running_mean is null || norm.running_var is null)
            throw new NotSupportedException($"The ONNX exporter needs running statistics in batch norm '{path}' (it normalises each batch with its own statistics).");
        using var scope = torch.NewDisposeScope();
        var scale = norm.running_var.add(norm.eps).rsqrt();
        if (norm.weight is not null) scale = scale.mul(norm.weight);
        var shift = norm.running_mean.mul(scale).neg();
        if (norm.bias is not null) shift = shift.add(norm.bias);
        long[] shape = x.Shape.Length == 1 ? [norm.num_features] : [norm.num_features, .. Enumerable.Repeat(1L, x.Shape.Length - 1)];
        var scaled = graph.Node("Mul", [x.Name, graph.Weight(path + ".scale", scale.reshape(shape))]);
        return new(graph.Node("Add", [scaled, graph.Weight(path + ".shift", shift.reshape(shape))], graph.Fresh(path)), norm.call(x.Probe).MoveToOuterDisposeScope());
    }

    /// <summary>GELU without approximation, 0.5·x·(1 + erf(x/√2)); opset 17 has no Gelu operator.</summary>
    OnnxValue Gelu(GELU gelu, OnnxValue x, string path)
    {
        if (gelu.approximate != GELU.Approximate.none)
            throw new NotSupportedException($"The ONNX exporter writes exact GELU only; '{path}' uses the {gelu.approximate} approximation.");
        var erf = graph.Node("Erf", [graph.Node("Mul", [x.Name, graph.Constant("inv_sqrt2", [(float)(1 / Math.Sqrt(2))], [])])]);
        var onePlus = graph.Node("Add", [erf, graph.Constant("one", [1f], [])]);
        var half = graph.Node("Mul", [x.Name, graph.Constant("half", [0.5f], [])]);
        return new(graph.Node("Mul", [half, onePlus], graph.Fresh(path)), gelu.call(x.Probe));
    }

    OnnxValue Pool(nn.Module<Tensor, Tensor> module, OnnxValue x, string path, string op, long[] kernel, long[]? stride, long[]? padding,
        bool ceilMode, long[]? dilation, bool countIncludePad = false)
    {
        long[] Pair(long[]? values, long fallback) => values is null || values.Length == 0 ? [fallback, fallback] : values.Length == 1 ? [values[0], values[0]] : values;
        var k = Pair(kernel, 1);
        var s = stride is null || stride.Length == 0 ? k : Pair(stride, 1);
        var p = Pair(padding, 0);
        var attributes = new List<(string, object)> { ("kernel_shape", k), ("strides", s), ("pads", new[] { p[0], p[1], p[0], p[1] }), ("ceil_mode", ceilMode ? 1 : 0) };
        if (dilation is not null && dilation.Any(d => d != 1)) attributes.Add(("dilations", Pair(dilation, 1)));
        if (op == "AveragePool") attributes.Add(("count_include_pad", countIncludePad ? 1 : 0));
        return Leaf(module, x, path, op, [x.Name], [.. attributes]);
    }

    /// <summary>
    /// Adaptive average pooling as torch computes it: output cell i averages input rows ⌊i·H/h⌋ … ⌈(i+1)·H/h⌉ − 1.
    /// Equal windows are one AveragePool; unequal ones a mean per row band, then per column band.
    /// </summary>
    OnnxValue AdaptiveAveragePool(nn.Module<Tensor, Tensor> module, OnnxValue x, string path)
    {
        var output = module.call(x.Probe);
        long height = x.Shape[1], width = x.Shape[2], outHeight = output.shape[2], outWidth = output.shape[3];
        if (outHeight == height && outWidth == width) return x;
        if (height % outHeight == 0 && width % outWidth == 0)
            return Leaf(module, x, path, "AveragePool", [x.Name], ("kernel_shape", new[] { height / outHeight, width / outWidth }),
                ("strides", new[] { height / outHeight, width / outWidth }));
        string Bands(string input, int axis, long size, long bands)
        {
            var parts = Enumerable.Range(0, (int)bands).Select(i =>
            {
                long start = i * size / bands, end = ((i + 1) * size + bands - 1) / bands;
                var slice = graph.Node("Slice", [input, graph.Int64s("starts", start), graph.Int64s("ends", end), graph.Int64s("axes", axis)]);
                return graph.Node("ReduceMean", [slice], ("axes", new long[] { axis }), ("keepdims", 1));
            }).ToArray();
            return parts.Length == 1 ? parts[0] : graph.Node("Concat", parts, ("axis", axis));
        }
        var rows = Bands(x.Name, 2, height, outHeight);
        return new(Bands(rows, 3, width, outWidth), output);
    }

    /// <summary>Stochastic pooling at prediction: the mean of each window weighted by its (non-negative) values, Σc·w / Σw with w = c + 1e-12.</summary>
    OnnxValue StochasticPool(StochasticPoolModule module, OnnxValue x, string path)
    {
        var (size, stride) = module.Window;
        var clamped = graph.Node("Relu", [x.Name]);
        var weights = graph.Node("Add", [clamped, graph.Constant("floor", [1e-12f], [])]);
        (string, object)[] window = [("kernel_shape", new long[] { size, size }), ("strides", new long[] { stride, stride })];
        var numerator = graph.Node("AveragePool", [graph.Node("Mul", [clamped, weights])], window);
        var denominator = graph.Node("AveragePool", [weights], window);
        return new(graph.Node("Div", [numerator, denominator], graph.Fresh(path)), module.call(x.Probe));
    }

    OnnxValue PadShortcut(PadShortcutModule module, OnnxValue x, string path)
    {
        var (extra, stride) = module.Settings;
        string value = x.Name;
        if (stride != 1)
            value = graph.Node("Slice", [value, graph.Int64s("starts", 0, 0), graph.Int64s("ends", End, End), graph.Int64s("axes", 2, 3), graph.Int64s("steps", stride, stride)]);
        long before = extra / 2;
        // ONNX pads list every axis's start, then every axis's end: N, C, H, W.
        var padded = graph.Node("Pad", [value, graph.Int64s("pads", 0, before, 0, 0, 0, extra - before, 0, 0)], graph.Fresh(path), ("mode", "constant"));
        return new(padded, module.call(x.Probe));
    }

    OnnxValue DualPath(DualPathModule module, OnnxValue x, string path)
    {
        var (body, shortcut, residualChannels) = module.Parts;
        var way = shortcut is null ? x : Export(shortcut, x, Join(path, "shortcut"));
        var features = Export(body, x, Join(path, "body"));
        var residual = Add(Channels(way, 0, residualChannels), Channels(features, 0, residualChannels));
        var parts = new List<OnnxValue> { residual };
        // Empty slices are left out: zero-sized tensors are where runtimes differ most.
        if (way.Shape[0] > residualChannels) parts.Add(Channels(way, residualChannels, way.Shape[0]));
        if (features.Shape[0] > residualChannels) parts.Add(Channels(features, residualChannels, features.Shape[0]));
        return Concat([.. parts], 1);
    }

    OnnxValue CropToInput(CropToInputModule module, OnnxValue x, string path)
    {
        var (body, multiple) = module.Parts;
        long height = x.Shape[1], width = x.Shape[2];
        long bottom = (multiple - height % multiple) % multiple, right = (multiple - width % multiple) % multiple;
        if (bottom == 0 && right == 0) return Export(body, x, Join(path, "body"));
        var padded = Node("Pad", [x.Name, graph.Int64s("pads", 0, 0, 0, 0, 0, 0, bottom, right)],
            nn.functional.pad(x.Probe, [0, right, 0, bottom]), ("mode", "constant"));
        var output = Export(body, padded, Join(path, "body"));
        return Node("Slice", [output.Name, graph.Int64s("starts", 0, 0), graph.Int64s("ends", height, width), graph.Int64s("axes", 2, 3)],
            output.Probe.narrow(2, 0, height).narrow(3, 0, width));
    }

    OnnxValue Upsample(Upsample upsample, OnnxValue x, string path)
    {
        var output = upsample.call(x.Probe);
        // Scales from the sizes, so a module made with a size instead of a factor is written the same way.
        float[] scales = [1, 1, (float)output.shape[2] / x.Probe.shape[2], (float)output.shape[3] / x.Probe.shape[3]];
        (string, object)[] attributes = upsample.mode switch
        {
            UpsampleMode.Nearest => [("mode", "nearest"), ("coordinate_transformation_mode", "asymmetric"), ("nearest_mode", "floor")],
            UpsampleMode.Bilinear when upsample.align_corners != true => [("mode", "linear"), ("coordinate_transformation_mode", "pytorch_half_pixel")],
            UpsampleMode.Bilinear => [("mode", "linear"), ("coordinate_transformation_mode", "align_corners")],
            _ => throw new NotSupportedException($"The ONNX exporter writes nearest and bilinear upsampling only; '{path}' uses {upsample.mode}."),
        };
        return new(graph.Node("Resize", [x.Name, "", graph.Constant("scales", scales, [4])], graph.Fresh(path), attributes), output);
    }

    /// <summary>(x · scale, channels optionally reversed, − mean) / std, as <see cref="InputNormalization"/> computes it.</summary>
    OnnxValue Normalize(InputNormalization settings, OnnxValue x, string path)
    {
        long channels = x.Shape[0];
        string value = x.Name;
        if (settings.ReverseChannels)
            value = graph.Node("Slice", [value, graph.Int64s("starts", -1), graph.Int64s("ends", long.MinValue), graph.Int64s("axes", 1), graph.Int64s("steps", -1)]);
        long[] shape = [channels, 1, 1];
        value = graph.Node("Mul", [value, graph.Constant(path + ".scale", [(float)settings.Scale], [])]);
        value = graph.Node("Sub", [value, graph.Constant(path + ".mean", settings.Mean.Select(v => (float)v).ToArray(), shape)]);
        value = graph.Node("Div", [value, graph.Constant(path + ".std", settings.Std.Select(v => (float)v).ToArray(), shape)], graph.Fresh(path));
        var probe = settings.ReverseChannels ? x.Probe.flip(1) : x.Probe;
        using var mean = torch.tensor(settings.Mean.Select(v => (float)v).ToArray()).reshape(1, channels, 1, 1);
        using var std = torch.tensor(settings.Std.Select(v => (float)v).ToArray()).reshape(1, channels, 1, 1);
        return new(value, (probe * settings.Scale - mean) / std);
    }
}
