using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Training;

/// <summary>
/// Mixed-precision training (<see cref="CnnOptions.MixedPrecision"/>): a bfloat16 copy of the network computes each
/// batch's forward and backward pass, and the float32 network keeps the weights the optimizer updates ("master
/// weights"). On CPUs with AVX-512 BF16 (and on GPUs) libtorch's bfloat16 convolutions and matrix products run about
/// twice as fast, and halve the activations' memory; the weights' small updates would be lost in bfloat16's 8-bit
/// mantissa, which is why the optimizer never sees the copy. Batch norms stay float32 in the copy (libtorch mixes a
/// bfloat16 input with float32 statistics), so their running statistics keep full precision.
/// </summary>
/// <remarks>
/// Per batch: the copy's gradients are added to the master gradients (a weight penalty computed on the master
/// weights has put its own there), the optimizer steps the masters, and the copy takes the new values. Everything
/// else the loop does — validation, early stopping, checkpoints, freezing — sees the float32 network as before;
/// <see cref="SyncBuffers"/> hands it the copy's batch-norm statistics at each epoch's end.
/// </remarks>
internal sealed class BFloat16Compute : IDisposable
{
    readonly List<Parameter> masterParameters, computeParameters;
    readonly List<Tensor> masterBuffers, computeBuffers;
    readonly List<nn.Module> masterModules, computeModules;

    /// <summary>The bfloat16 network that computes each batch.</summary>
    public nn.Module<Tensor, Tensor> Network { get; }

    /// <summary>
    /// A bfloat16 copy of <paramref name="master"/>: <paramref name="build"/> makes a network of the same design,
    /// which takes the master's weights and statistics.
    /// </summary>
    public BFloat16Compute(nn.Module<Tensor, Tensor> master, Func<nn.Module<Tensor, Tensor>> build, Device device)
    {
        // Building draws initial weights from torch's global generator; put it back so that dropout draws the
        // same masks whether or not a copy was built (and a resumed run draws what an uninterrupted one did).
        var generator = torch.get_rng_state();
        Network = build();
        torch.set_rng_state(generator);
        Network.to(device);
        Network.to(ScalarType.BFloat16);
        foreach (var module in Network.modules())
            if (module is BatchNorm1d or BatchNorm2d or BatchNorm3d) module.to(ScalarType.Float32);

        masterParameters = master.parameters().ToList();
        computeParameters = Network.parameters().ToList();
        masterBuffers = master.buffers().ToList();
        computeBuffers = Network.buffers().ToList();
        masterModules = master.modules().ToList();
        computeModules = Network.modules().ToList();
        if (masterParameters.Count != computeParameters.Count || masterBuffers.Count != computeBuffers.Count || masterModules.Count != computeModules.Count)
            throw new InvalidOperationException("Mixed precision needs a copy of the same design, but the rebuilt network differs from the trained one.");
        // The master's values are copied in after the conversions: converted along with the module, the batch norms'
        // running statistics would pass through bfloat16 and lose digits (and a resumed run would differ from an
        // uninterrupted one, whose statistics never left float32).
        TakeWeights();
        CopyValues(computeBuffers, masterBuffers);
    }

    /// <summary>
    /// The network's output for <paramref name="images"/> in float32, computed in bfloat16. Call <see cref="Mirror"/>
    /// first when the master's training modes or frozen weights changed.
    /// </summary>
    public Tensor Forward(Tensor images) => Network.call(images.to(ScalarType.BFloat16)).to(ScalarType.Float32);

    /// <summary>Gives the copy the master's training/evaluation modes and which weights are frozen.</summary>
    public void Mirror()
    {
        // modules() lists parents before children, so a child's own mode is set after its parent's train() reached it.
        for (int i = 0; i < masterModules.Count; i++) computeModules[i].train(masterModules[i].training);
        for (int i = 0; i < masterParameters.Count; i++) computeParameters[i].requires_grad = masterParameters[i].requires_grad;
    }

    /// <summary>Adds the copy's gradients (in float32) to the master's, and clears the copy's for the next batch.</summary>
    public void CollectGradients()
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < masterParameters.Count; i++)
        {
            var gradient = computeParameters[i].grad;
            var master = masterParameters[i];
            // A weight frozen since the last Mirror must not get a gradient the optimizer would act on.
            if (gradient is null || !master.requires_grad) continue;
            if (master.grad is { } existing) existing.add_(gradient);
            else master.grad = gradient.to(ScalarType.Float32);
            computeParameters[i].grad = null;
        }
    }

    /// <summary>The copy takes the master weights the optimizer has just updated.</summary>
    public void TakeWeights() => CopyValues(computeParameters, masterParameters);

    /// <summary>The master takes the copy's buffers (batch-norm running statistics and counts), before it is validated or saved.</summary>
    public void SyncBuffers() => CopyValues(masterBuffers, computeBuffers);

    /// <summary>Each tensor of <paramref name="into"/> takes the values of its counterpart in <paramref name="from"/>, converted to its own type.</summary>
    static void CopyValues(IReadOnlyList<Tensor> into, IReadOnlyList<Tensor> from)
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < into.Count; i++) into[i].copy_(from[i]);
    }

    /// <inheritdoc />
    public void Dispose() => Network.Dispose();
}
