using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Backend;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.UnitTests.Backend;

public class ChannelsLastTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Images_keep_their_shape_and_values_in_channels_last_strides(int channels)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var images = torch.arange(2 * channels * 5 * 4, dtype: ScalarType.Float32).reshape(2, channels, 5, 4);
        var converted = ChannelsLast.Of(images);
        Assert.Equal(images.shape, converted.shape);
        // NHWC in memory: the channel is the fastest-moving index, then the column, the row, the image.
        Assert.Equal(new long[] { 5 * 4 * channels, 1, 4 * channels, channels }, converted.stride());
        Assert.True(converted.eq(images).all().item<bool>());
        // Already channels-last: returned as it is, no copy.
        if (channels > 1) Assert.Same(converted, ChannelsLast.Of(converted));
    }

    /// <summary>
    /// Batches are views narrowed out of a larger tensor: the channels-last copy must read the batch's own numbers,
    /// not those at the start of the storage (TorchSharp's as_strided counts from there).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_batch_narrowed_out_of_a_larger_tensor_keeps_its_own_values(int channels)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var all = torch.arange(6 * channels * 5 * 4, dtype: ScalarType.Float32).reshape(6, channels, 5, 4);
        var batch = all.narrow(0, 2, 3);
        Assert.NotEqual(0, batch.storage_offset());
        var converted = ChannelsLast.Of(batch);
        Assert.Equal(batch.shape, converted.shape);
        Assert.True(converted.eq(batch).all().item<bool>(), "the converted batch holds other images' numbers");
    }

    [Fact]
    public void Other_ranks_are_left_alone()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var vectors = torch.ones(3, 7);
        Assert.Same(vectors, ChannelsLast.Of(vectors));
    }

    /// <summary>
    /// The layout is only an order in memory: a network scores channels-last images as it scores NCHW ones (the
    /// convolution kernels sum in another order, hence the tolerance), and its activations come out channels-last.
    /// </summary>
    [Fact]
    public void A_network_gives_the_same_scores_and_keeps_the_layout()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var network = (TorchSharp.Modules.Sequential)Architectures.MnistBestCnn().Build(new ImageShape(1, 28, 28), 10);
        network.eval();
        using var inference = torch.inference_mode();
        var images = torch.rand(4, 1, 28, 28);
        var plain = network.call(images);
        var converted = network.call(ChannelsLast.Of(images));
        Assert.True(plain.allclose(converted, rtol: 1e-4, atol: 1e-5));
        var afterFirstBlock = ((nn.Module<Tensor, Tensor>)network.children().First()).call(ChannelsLast.Of(images));
        Assert.Equal(1, afterFirstBlock.stride(1));
    }
}
