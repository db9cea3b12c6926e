using Onnx;

namespace MLToolkit.Trainers.Onnx;

/// <summary>A convolution of an ONNX graph and the batch normalization that reads its output, if any.</summary>
/// <param name="Conv">The Conv node.</param>
/// <param name="Weight">Name of the convolution's weight initializer.</param>
/// <param name="WeightShape">Its shape: out × in/groups × kH × kW.</param>
/// <param name="Bias">Name of the convolution's bias initializer, or null.</param>
/// <param name="BatchNorm">The BatchNormalization node reading the convolution, or null.</param>
internal sealed record OnnxConvLayer(NodeProto Conv, string Weight, long[] WeightShape, string? Bias, NodeProto? BatchNorm)
{
    /// <summary>
    /// The convolutions that compute <paramref name="graph"/>'s outputs, in file order, each with the batch normalization
    /// that directly follows it (the Conv → BN pairs of ResNet-style networks).
    /// </summary>
    public static IReadOnlyList<OnnxConvLayer> In(OnnxGraph graph)
    {
        var layers = new List<OnnxConvLayer>();
        foreach (var node in graph.LiveNodes.Where(n => n.OpType == "Conv"))
        {
            if (node.Input.Count < 2 || !graph.IsInitializer(node.Input[1]))
                throw new InvalidDataException($"{graph.Source}: convolution '{node.Name}' does not take its weights from the file.");
            var (_, shape) = graph.Initializer(node.Input[1]);
            var bias = node.Input.Count > 2 && node.Input[2].Length > 0 ? node.Input[2] : null;
            var consumers = graph.ConsumersOf(node.Output[0]);
            var batchNorm = consumers.Count == 1 && consumers[0].OpType == "BatchNormalization" ? consumers[0] : null;
            layers.Add(new OnnxConvLayer(node, node.Input[1], shape, bias, batchNorm));
        }
        return layers;
    }
}
