using System.Globalization;
using System.Text;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.NetworkLayers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Summary;

/// <summary>One row of a <see cref="ModelSummary"/>: a leaf module in the order the forward pass runs it.</summary>
/// <param name="Name">Module path, e.g. "sequence_2.conv2d_5".</param>
/// <param name="Type">Module type (Conv2d, BatchNorm2d…).</param>
/// <param name="OutputShape">Per-sample output shape.</param>
/// <param name="Parameters">Parameters the module itself holds.</param>
/// <param name="MultiplyAccumulates">Multiply-accumulate operations per image (convolutions and dense layers).</param>
public sealed record LayerSummary(string Name, string Type, long[] OutputShape, long Parameters, long MultiplyAccumulates);

/// <summary>
/// Keras' <c>model.summary()</c> plus a compute column: every leaf layer with its output shape,
/// parameter count and multiply-accumulates (MACs) for one input image, and the totals. It traces one
/// forward pass in evaluation mode, so it works for any TorchSharp module, including custom ones;
/// auxiliary classifiers, which run only while training, appear in the parameter total but not as rows.
/// </summary>
public sealed class ModelSummary
{
    ModelSummary(string title, long[] input, IReadOnlyList<LayerSummary> rows, long total, long trainable)
    {
        (Title, Input, Rows, TotalParameters, TrainableParameters) = (title, input, rows, total, trainable);
    }

    /// <summary>What was summarised.</summary>
    public string Title { get; }

    /// <summary>Per-sample input shape.</summary>
    public long[] Input { get; }

    /// <summary>The leaf layers in execution order.</summary>
    public IReadOnlyList<LayerSummary> Rows { get; }

    /// <summary>All parameters of the network (auxiliary heads included).</summary>
    public long TotalParameters { get; }

    /// <summary>Parameters that training updates.</summary>
    public long TrainableParameters { get; }

    /// <summary>Multiply-accumulates of one forward pass for one image.</summary>
    public long TotalMultiplyAccumulates => Rows.Sum(r => r.MultiplyAccumulates);

    /// <summary>Summarises <paramref name="architecture"/> built for <paramref name="input"/> and <paramref name="classes"/>.</summary>
    public static ModelSummary Of(IArchitecture architecture, ImageShape input, int classes = 10)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        using var network = architecture.Build(input, classes);
        return Trace($"{architecture.Name} on {input}, {classes} classes", network, [input.Channels, input.Height, input.Width]);
    }

    /// <summary>Summarises a single <paramref name="layer"/> (a block) for a per-sample <paramref name="input"/> shape.</summary>
    public static ModelSummary Of(Layer layer, long[] input, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        using var module = layer.Build(input, new BuildContext(1, Initializer.Framework));
        return Trace(title ?? $"{layer.Kind} on [{Layer.ShapeText(input)}]", module, input);
    }

    /// <summary>Summarises any module by tracing one forward pass of a zero input of shape [1, ..<paramref name="input"/>].</summary>
    public static ModelSummary Trace(string title, nn.Module<Tensor, Tensor> network, long[] input)
    {
        var rows = new List<LayerSummary>();
        var removers = new List<Action>();
        foreach (var (name, module) in network.named_modules())
        {
            if (module.children().Any() || module is not nn.Module<Tensor, Tensor> leaf) continue;
            string rowName = name;
            var remover = leaf.register_forward_hook((m, x, y) =>
            {
                var shape = y.shape.Skip(1).ToArray();
                rows.Add(new LayerSummary(rowName, m.GetType().Name, shape, m.parameters().Sum(p => p.numel()), Macs(m, x, shape)));
                return null!; // null keeps the module's own output
            });
            removers.Add(remover.remove);
        }
        try
        {
            network.eval();
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            network.call(torch.zeros([1, .. input]));
        }
        finally
        {
            foreach (var remove in removers) remove();
        }
        var parameters = network.parameters().ToArray();
        return new ModelSummary(title, input, rows, parameters.Sum(p => p.numel()), parameters.Where(p => p.requires_grad).Sum(p => p.numel()));
    }

    static long Macs(nn.Module module, Tensor input, long[] output) => module switch
    {
        // Each output value of a convolution is a dot product over (in_channels / groups) × kh × kw inputs.
        Conv2d conv => output.Aggregate(1L, (a, b) => a * b) * conv.weight!.shape.Skip(1).Aggregate(1L, (a, b) => a * b),
        Linear linear => linear.weight!.shape[0] * linear.weight!.shape[1],
        _ => 0,
    };

    /// <summary>The table: name, type, output shape, parameters, MACs; then totals.</summary>
    public override string ToString()
    {
        var culture = CultureInfo.InvariantCulture;
        var cells = Rows.Select(r => new[]
        {
            r.Name, r.Type, "[" + Layer.ShapeText(r.OutputShape) + "]",
            r.Parameters.ToString("N0", culture), r.MultiplyAccumulates.ToString("N0", culture),
        }).ToList();
        string[] header = ["Layer", "Type", "Output shape", "Params", "MACs"];
        var widths = Enumerable.Range(0, header.Length).Select(c => cells.Select(r => r[c].Length).Append(header[c].Length).Max()).ToArray();
        string Line(string[] row) => string.Join("  ", row.Select((v, c) => c >= 3 ? v.PadLeft(widths[c]) : v.PadRight(widths[c]))).TrimEnd();
        var rule = new string('─', widths.Sum() + 2 * (widths.Length - 1));

        var text = new StringBuilder();
        text.AppendLine(Title).AppendLine(rule).AppendLine(Line(header)).AppendLine(rule);
        foreach (var row in cells) text.AppendLine(Line(row));
        text.AppendLine(rule)
            .AppendLine(culture, $"Total parameters:     {TotalParameters.ToString("N0", culture)} ({Millions(TotalParameters)})")
            .AppendLine(culture, $"Trainable parameters: {TrainableParameters.ToString("N0", culture)}")
            .AppendLine(culture, $"Multiply-accumulates: {TotalMultiplyAccumulates.ToString("N0", culture)} ({Millions(TotalMultiplyAccumulates)} per image)");
        return text.ToString();
    }

    static string Millions(long value) => (value / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + "M";
}
