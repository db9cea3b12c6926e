using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Onnx;

/// <summary>
/// Copies the convolution and batch-normalization weights of an ONNX graph into a TorchSharp network
/// of the same design, matched by structure: each convolution of the network (in the order a forward
/// pass runs them, with the batch norm that runs right after it) takes the first unused ONNX convolution of the same weight
/// shape (in the file's node order, with the batch norm that reads it). Layers of equal shape come in
/// the same forward order in both, which holds for plain and residual stacks (a ResNet's projection
/// shortcut has its own 1×1 shape). The head (fully connected layers) is left alone.
/// </summary>
internal static class OnnxWeightImport
{
    /// <summary>Copies the weights; returns how many convolutions were loaded.</summary>
    /// <exception cref="InvalidDataException">A convolution of the network has no counterpart in the file, or the file has convolutions left over.</exception>
    public static int Into(nn.Module<Tensor, Tensor> network, OnnxGraph graph, ImageShape input)
    {
        var available = OnnxConvLayer.In(graph).ToList();
        var used = new bool[available.Count];
        var modules = NetworkHead.ForwardOrder(network, input).Where(m => m is Conv2d or BatchNorm2d).ToList();
        int loaded = 0;
        using var noGrad = torch.no_grad();
        for (int i = 0; i < modules.Count; i++)
        {
            if (modules[i] is not Conv2d conv) continue;
            var batchNorm = i + 1 < modules.Count ? modules[i + 1] as BatchNorm2d : null;
            var shape = conv.weight!.shape;
            int match = Enumerable.Range(0, available.Count).FirstOrDefault(k => !used[k] && available[k].WeightShape.SequenceEqual(shape), -1);
            if (match < 0)
                throw new InvalidDataException($"{graph.Source} has no unused convolution of shape [{string.Join(", ", shape)}] for the network's convolution {loaded + 1}: the file holds another design.");
            used[match] = true;
            var layer = available[match];
            Copy(graph, layer.Weight, conv.weight!);
            if (conv.bias is not null)
            {
                if (layer.Bias is null) conv.bias.zero_();
                else Copy(graph, layer.Bias, conv.bias);
            }
            if (batchNorm is not null)
            {
                if (layer.BatchNorm is not { } bn)
                    throw new InvalidDataException($"{graph.Source}: convolution '{layer.Conv.Name}' has no batch normalization, but the network's does.");
                Copy(graph, bn.Input[1], batchNorm.weight!);
                Copy(graph, bn.Input[2], batchNorm.bias!);
                Copy(graph, bn.Input[3], batchNorm.running_mean!);
                Copy(graph, bn.Input[4], batchNorm.running_var!);
            }
            loaded++;
        }
        var left = available.Where((_, k) => !used[k]).Select(l => $"'{l.Conv.Name}' [{string.Join(", ", l.WeightShape)}]").ToList();
        if (left.Count > 0)
            throw new InvalidDataException($"{graph.Source} has convolution(s) the network does not have ({string.Join(", ", left)}) after loading {loaded}: the file holds another design.");
        return loaded;
    }

    static void Copy(OnnxGraph graph, string name, Tensor target)
    {
        var (values, shape) = graph.Initializer(name);
        if (values.Length != target.numel())
            throw new InvalidDataException($"{graph.Source}: '{name}' has shape [{string.Join(", ", shape)}], the network's tensor [{string.Join(", ", target.shape)}].");
        using var source = torch.tensor(values, target.shape);
        target.copy_(source);
    }
}
