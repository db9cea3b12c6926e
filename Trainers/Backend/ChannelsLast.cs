using static TorchSharp.torch;

namespace MLToolkit.Trainers.Backend;

/// <summary>
/// The channels-last memory layout (NHWC in memory, NCHW in shape) for images entering a network. On the CPU,
/// libtorch's convolutions (oneDNN) then give channels-last outputs, and batch norm, ReLU and above all max
/// pooling run their vectorised channels-last kernels: the NCHW max-pooling kernel took 14 of the 34 ms of the
/// recipe network's forward pass at batch 100 (see BENCHMARKS.md, "Training throughput"). Shapes, values and
/// saved weights do not change; only the order of the numbers in memory does.
/// </summary>
internal static class ChannelsLast
{
    /// <summary>
    /// <paramref name="images"/> ([N, C, H, W]) with channels-last strides; other ranks are returned as they are.
    /// Written with explicit strides because libtorch reads a one-channel NCHW tensor as plain contiguous, and
    /// its layout would then stay NCHW through the whole network.
    /// </summary>
    public static Tensor Of(Tensor images)
    {
        if (images.dim() != 4) return images;
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        if (c > 1 && images.stride(1) == 1 && images.stride(3) == c && images.stride(2) == w * c) return images;
        // One channel: both layouts order the numbers alike, so only the strides need saying (no copy: at batch 1 the
        // copy's two operations are a measurable part of a prediction). The storage offset is passed on because
        // TorchSharp's as_strided counts from the start of the storage: a batch narrowed out of a larger tensor
        // would otherwise read the first batch's numbers.
        if (c == 1 && images.is_contiguous())
            return images.as_strided([n, c, h, w], [h * w, 1, w, 1], images.storage_offset());
        var packed = images.permute(0, 2, 3, 1).contiguous();
        return packed.as_strided([n, c, h, w], [h * w * c, 1, w * c, c], packed.storage_offset());
    }
}
