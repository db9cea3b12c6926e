using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Networks;

/// <summary>Weight initialisation of built networks.</summary>
public static class Initialization
{
    /// <summary>
    /// Keras' defaults: Glorot (Xavier) uniform weights and zero biases for convolutions and dense
    /// layers. PyTorch's default (Kaiming uniform with a = √5) trains these small nets more slowly.
    /// </summary>
    public static void GlorotUniform(nn.Module module)
    {
        using var _ = torch.no_grad();
        foreach (var (_, child) in module.named_modules())
        {
            switch (child)
            {
                case Conv2d conv:
                    nn.init.xavier_uniform_(conv.weight);
                    if (conv.bias is not null) nn.init.zeros_(conv.bias);
                    break;
                case Linear linear:
                    nn.init.xavier_uniform_(linear.weight);
                    if (linear.bias is not null) nn.init.zeros_(linear.bias);
                    break;
            }
        }
    }
}
