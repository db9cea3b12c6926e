using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

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
    /// <summary>
    /// He/Kaiming normal (fan-in, ReLU gain; He et al. 2015, Keras' he_normal): keeps the scale of
    /// activations through ReLU layers, dense ones included. The zoo's default.
    /// </summary>
    HeNormal,
    /// <summary>
    /// He/Kaiming normal in fan-out mode (torchvision's ResNet convolutions): keeps the scale of
    /// gradients instead. Avoid it for dense layers that narrow a lot, whose weights it makes large.
    /// </summary>
    HeNormalFanOut,
    /// <summary>Normal with standard deviation 0.01 (torchvision's VGG and GoogLeNet classifiers): small initial logits.</summary>
    SmallNormal,
    /// <summary>All zeros: every class starts equally likely (the output layer's default; hidden layers need random weights).</summary>
    Zeros,
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
            case Initializer.HeNormal: nn.init.kaiming_normal_(weight, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU); break;
            case Initializer.HeNormalFanOut: nn.init.kaiming_normal_(weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU); break;
            case Initializer.SmallNormal: nn.init.normal_(weight, 0, 0.01); break;
            case Initializer.Zeros: nn.init.zeros_(weight); break;
            default: throw new ArgumentOutOfRangeException(nameof(initializer), initializer, "Unknown initializer.");
        }
        if (bias is not null) nn.init.zeros_(bias);
    }
}
