using MLToolkit.Datasets.Images;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Networks;

/// <summary>
/// The uniform split of every network into features (the backbone) and head: the head is the last
/// fully connected layer, the one with a unit per class (every zoo design and the layer API end in
/// it); everything before it computes features. Pretrained starts load the features and give the
/// network a new head; a frozen backbone trains the head alone.
/// </summary>
public static class NetworkHead
{
    /// <summary>The names of the head's parameters, as <c>named_parameters</c> gives them.</summary>
    /// <exception cref="ArgumentException">The network has no fully connected layer.</exception>
    public static IReadOnlySet<string> ParameterNames(nn.Module network)
    {
        var (name, head) = Find(network);
        return head.named_parameters().Select(p => name + "." + p.name).ToHashSet();
    }

    /// <summary>The network's parameters split into backbone (features) and head.</summary>
    public static (IReadOnlyList<Parameter> Backbone, IReadOnlyList<Parameter> Head) Split(nn.Module network)
    {
        var head = ParameterNames(network);
        var all = network.named_parameters().ToList();
        return (all.Where(p => !head.Contains(p.name)).Select(p => p.parameter).ToList(),
                all.Where(p => head.Contains(p.name)).Select(p => p.parameter).ToList());
    }

    /// <summary>
    /// The features of <paramref name="input"/>: what the network hands its head (N × F), computed by
    /// a forward pass that records the head's input. Call in evaluation mode and without gradients
    /// for inference.
    /// </summary>
    public static Tensor Features(nn.Module<Tensor, Tensor> network, Tensor input)
    {
        var head = Find(network).Head;
        Tensor? features = null;
        var hook = head.register_forward_pre_hook((_, x) => { features = x.detach().clone().MoveToOuterDisposeScope(); return x; });
        try
        {
            using (torch.NewDisposeScope()) network.call(input);
        }
        finally
        {
            hook.remove();
        }
        return features!;
    }

    /// <summary>
    /// Gives the head small random weights (normal, std 0.01) and zero bias, so that a new head on
    /// pretrained features starts with near-uniform class probabilities (loss ≈ ln(classes)) instead
    /// of large random logits that the first epochs would spend undoing.
    /// </summary>
    public static void ResetHead(nn.Module network)
    {
        var head = Find(network).Head;
        using var noGrad = torch.no_grad();
        nn.init.normal_(head.weight!, 0, 0.01);
        if (head.bias is not null) nn.init.zeros_(head.bias);
    }

    /// <summary>
    /// The layers that hold weights (convolutions, batch norms, dense layers…), in the order a forward
    /// pass of an <paramref name="input"/>-shaped image runs them. TorchSharp lists nested modules in
    /// another order, so the order is recorded from one forward pass in evaluation mode.
    /// </summary>
    public static IReadOnlyList<nn.Module> ForwardOrder(nn.Module<Tensor, Tensor> network, ImageShape input)
    {
        var order = new List<nn.Module>();
        var hooks = new List<Action>();
        foreach (var (_, module) in network.named_modules())
        {
            if (module is not nn.Module<Tensor, Tensor> leaf || module.children().Any() || !module.parameters(recurse: false).Any()) continue;
            var hook = leaf.register_forward_pre_hook((m, x) => { if (!order.Contains(m)) order.Add(m); return x; });
            hooks.Add(hook.remove);
        }
        bool training = network.training;
        try
        {
            network.eval();
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var device = network.parameters().FirstOrDefault()?.device ?? torch.CPU;
            network.call(torch.zeros(1, input.Channels, input.Height, input.Width, device: device));
        }
        finally
        {
            foreach (var remove in hooks) remove();
            network.train(training);
        }
        return order;
    }

    /// <summary>
    /// The backbone's parameters in forward order and the head's: what <see cref="CnnOptions.FrozenBackboneShare"/>
    /// and the frozen epochs act on.
    /// </summary>
    public static (IReadOnlyList<Parameter> Backbone, IReadOnlyList<Parameter> Head) SplitInForwardOrder(nn.Module<Tensor, Tensor> network, ImageShape input)
    {
        var (backbone, head) = Split(network);
        var inBackbone = backbone.ToHashSet();
        var ordered = ForwardOrder(network, input).SelectMany(m => m.parameters(recurse: false)).Where(inBackbone.Contains).Distinct().ToList();
        // Parameters a forward pass does not reach (auxiliary classifiers at prediction) go last.
        ordered.AddRange(backbone.Where(p => !ordered.Contains(p)));
        return (ordered, head);
    }

    /// <summary>Puts the backbone's batch normalization layers in evaluation mode (running statistics frozen) or back to training.</summary>
    public static void SetBackboneBatchNormTraining(nn.Module network, bool training)
    {
        foreach (var (_, module) in network.named_modules())
            if (module is BatchNorm1d or BatchNorm2d) module.train(training);
    }

    /// <summary>The head: the last fully connected layer, with its module name.</summary>
    /// <exception cref="ArgumentException">The network has no fully connected layer.</exception>
    static (string Name, Linear Head) Find(nn.Module network) =>
        network.named_modules().LastOrDefault(m => m.module is Linear) is ({ } name, Linear linear)
            ? (name, linear)
            : throw new ArgumentException("The network has no fully connected output layer, so it has no head to replace, train alone or read features from.");
}
