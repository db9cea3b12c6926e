using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.Trainers.NetworkLayers.Modules;

/// <summary>Pads a batch up to a multiple of its size, runs the body, crops the output back (see <see cref="CropToInput"/>).</summary>
internal sealed class CropToInputModule : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> _body;
    readonly int _multiple;

    /// <summary>The body and the multiple the input is padded to.</summary>
    internal (nn.Module<Tensor, Tensor> Body, int Multiple) Parts => (_body, _multiple);

    public CropToInputModule(nn.Module<Tensor, Tensor> body, int multiple) : base("CropToInput")
    {
        (_body, _multiple) = (body, multiple);
        register_module("body", _body);
    }

    public override Tensor forward(Tensor input)
    {
        long height = input.shape[2], width = input.shape[3];
        long padBottom = (_multiple - height % _multiple) % _multiple, padRight = (_multiple - width % _multiple) % _multiple;
        var padded = padBottom == 0 && padRight == 0 ? input : nn.functional.pad(input, [0, padRight, 0, padBottom]);
        var output = _body.call(padded);
        return padBottom == 0 && padRight == 0 ? output : output.narrow(2, 0, height).narrow(3, 0, width);
    }
}
