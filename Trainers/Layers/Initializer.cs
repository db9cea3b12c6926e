using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.Layers;

/// <summary>How the weights of a convolution or dense layer start; biases always start at zero.</summary>
public enum Initializer
{
    /// <summary>TorchSharp's own default (Kaiming uniform with a = √5, as PyTorch).</summary>
    Framework,
    /// <summary>Uniform in [-0.05, 0.05] (Keras' RandomUniform).</summary>
    Uniform,
    /// <summary>Xavier/Glorot uniform: keeps the variance of activations and gradients (Keras' default).</summary>
    GlorotUniform,
    /// <summary>Xavier/Glorot normal.</summary>
    GlorotNormal,
    /// <summary>He/Kaiming uniform (fan-in, ReLU gain).</summary>
    HeUniform,
    /// <summary>He/Kaiming normal (fan-out, ReLU gain), the usual choice for ReLU ResNets.</summary>
    HeNormal,
}

/// <summary>Applies an <see cref="Initializer"/> to a weight tensor.</summary>
public static class Initializers
{
    /// <summary>Initialises <paramref name="weight"/> in place and zeroes <paramref name="bias"/>, without recording gradients.</summary>
    public static void Apply(Initializer initializer, Tensor weight, Tensor? bias)
    {
        using var _ = torch.no_grad();
        switch (initializer)
        {
            case Initializer.Framework: return; // keep TorchSharp's initial values, bias included
            case Initializer.Uniform: nn.init.uniform_(weight, -0.05, 0.05); break;
            case Initializer.GlorotUniform: nn.init.xavier_uniform_(weight); break;
            case Initializer.GlorotNormal: nn.init.xavier_normal_(weight); break;
            case Initializer.HeUniform: nn.init.kaiming_uniform_(weight, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU); break;
            case Initializer.HeNormal: nn.init.kaiming_normal_(weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU); break;
            default: throw new ArgumentOutOfRangeException(nameof(initializer), initializer, "Unknown initializer.");
        }
        if (bias is not null) nn.init.zeros_(bias);
    }
}
