using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers;

/// <summary>
/// How a network expects its input to be prepared, applied as the network's first step so that the
/// saved model carries it: images arrive as the toolkit's [0, 1] floats in RGB order; the network
/// sees <c>(x · Scale, channels optionally reversed, − Mean) / Std</c>. Pretrained weights need the
/// normalisation they were trained with (ImageNet statistics, BGR order for Caffe/CNTK models).
/// </summary>
/// <param name="Scale">Factor applied first (255 for networks trained on 0–255 pixels).</param>
/// <param name="Mean">Per-channel mean subtracted after scaling (in the network's channel order).</param>
/// <param name="Std">Per-channel divisor.</param>
/// <param name="ReverseChannels">RGB → BGR before the mean is subtracted.</param>
public sealed record InputNormalization(double Scale, double[] Mean, double[] Std, bool ReverseChannels = false)
{
    /// <summary>torchvision's ImageNet statistics on [0, 1] RGB input.</summary>
    public static InputNormalization ImageNet { get; } = new(1, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);

    /// <summary>Checks that the statistics fit <paramref name="channels"/> channels.</summary>
    /// <exception cref="ArgumentException">Wrong lengths or a non-positive divisor.</exception>
    public void Validate(long channels)
    {
        if (Mean is null || Std is null || Mean.Length != channels || Std.Length != channels)
            throw new ArgumentException($"Input normalization needs one mean and one std per channel ({channels}); it has {Mean?.Length ?? 0} and {Std?.Length ?? 0}.");
        if (Std.Any(s => !(s > 0))) throw new ArgumentException("Input normalization std values must be positive.");
    }

    /// <summary>The module applying this normalization to N × C × H × W batches.</summary>
    public nn.Module<Tensor, Tensor> Build(long channels)
    {
        Validate(channels);
        return new Module(this, channels);
    }

    internal sealed class Module : nn.Module<Tensor, Tensor>
    {
        readonly double _scale;
        readonly bool _reverse;
        // Constants, not buffers: they are settings of the architecture, saved with it as JSON.
        readonly Tensor _mean, _std;

        /// <summary>The settings this module applies.</summary>
        public InputNormalization Settings { get; }

        public Module(InputNormalization settings, long channels) : base("InputNormalization")
        {
            Settings = settings;
            (_scale, _reverse) = (settings.Scale, settings.ReverseChannels);
            _mean = torch.tensor(settings.Mean.Select(v => (float)v).ToArray()).reshape(1, channels, 1, 1);
            _std = torch.tensor(settings.Std.Select(v => (float)v).ToArray()).reshape(1, channels, 1, 1);
        }

        public override Tensor forward(Tensor input)
        {
            var x = _reverse ? input.flip(1) : input;
            return (x * _scale - _mean.to(input.device)) / _std.to(input.device);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) { _mean.Dispose(); _std.Dispose(); }
            base.Dispose(disposing);
        }
    }
}
