using MLToolkit.Datasets.Detection;
using MLToolkit.Trainers.Detection;
using TorchSharp;
using static TorchSharp.torch;

namespace MLToolkit.UnitTests.Detection;

/// <summary>Boxes move with their image under flips and shifts, and the grid targets follow them.</summary>
public class BoxAugmentationTests
{
    /// <summary>A 1 × 32 × 48 image with ink exactly inside <paramref name="box"/>.</summary>
    static Tensor ImageWithInk(BoundingBox box)
    {
        var image = torch.zeros(1, 32, 48);
        image[.., (int)box.YMin..(int)box.YMax, (int)box.XMin..(int)box.XMax] = torch.tensor(1f);
        return image;
    }

    /// <summary>The tight box around the ink of a 1 × H × W image.</summary>
    static BoundingBox InkBox(Tensor image)
    {
        var ink = image[0].nonzero();
        var ys = ink.select(1, 0);
        var xs = ink.select(1, 1);
        return new BoundingBox(xs.min().item<long>(), ys.min().item<long>(), xs.max().item<long>() + 1, ys.max().item<long>() + 1);
    }

    [Theory]
    [InlineData(false, 5, -3)]
    [InlineData(true, 0, 0)]
    [InlineData(true, -7, 4)]
    public void A_moved_box_stays_tight_around_its_moved_ink(bool flip, int dx, int dy)
    {
        var box = new BoundingBox(6, 10, 20, 25);
        var image = ImageWithInk(box);
        var moved = Assert.Single(BoxAugmentation.Move([new LabeledBox(2, box)], 48, 32, flip, dx, dy));
        Assert.Equal(InkBox(BoxAugmentation.MoveImage(image, flip, dx, dy)), moved.Box);
        Assert.Equal(2, moved.Label);
    }

    [Theory]
    [InlineData(60, 40)]
    [InlineData(36, 24)]
    public void A_zoomed_box_stays_around_its_zoomed_ink(int zoomedWidth, int zoomedHeight)
    {
        // Bilinear resampling softens the ink's edges by up to a pixel, so the box is compared by overlap with the bright ink.
        var box = new BoundingBox(14, 8, 30, 24);
        var image = BoxAugmentation.MoveImage(ImageWithInk(box), flip: false, dx: 2, dy: -1, zoomedWidth, zoomedHeight);
        var moved = Assert.Single(BoxAugmentation.Move([new LabeledBox(0, box)], 48, 32, flip: false, dx: 2, dy: -1, zoomedWidth, zoomedHeight));
        Assert.Equal(new long[] { 1, 32, 48 }, image.shape);
        Assert.True(InkBox(image.gt(0.5f).to(ScalarType.Float32)).IoU(moved.Box) > 0.85f, $"{moved.Box} against the ink's {InkBox(image.gt(0.5f).to(ScalarType.Float32))}");
    }

    [Fact]
    public void A_box_pushed_out_is_clipped_and_one_whose_centre_leaves_is_dropped()
    {
        var box = new BoundingBox(2, 2, 12, 12);
        var clipped = Assert.Single(BoxAugmentation.Move([new LabeledBox(0, box)], 48, 32, flip: false, dx: -4, dy: 0));
        Assert.Equal(new BoundingBox(0, 2, 8, 12), clipped.Box);
        Assert.Empty(BoxAugmentation.Move([new LabeledBox(0, box)], 48, 32, flip: false, dx: -8, dy: 0));
    }

    [Fact]
    public void Grid_targets_decode_to_their_boxes_and_follow_a_batch_augmentation()
    {
        var objects = new[] { new LabeledBox(1, new BoundingBox(8, 8, 24, 24)), new LabeledBox(4, new BoundingBox(30, 2, 46, 30)) };
        var targets = torch.tensor(GridTargets.Encode(objects, 48, 32, 8), new long[] { 1, 6, 4, 6 });
        var decoded = GridTargets.Boxes(targets, 8)[0];
        Assert.Equal(objects.Select(o => o.Label), decoded.Select(o => o.Label));
        Assert.All(objects.Zip(decoded), pair => Assert.True(pair.First.Box.IoU(pair.Second.Box) > 0.9999f));

        var image = ImageWithInk(objects[0].Box);
        var (images, moved) = new BoxAugmentation(FlipProbability: 1, MaxShift: 0.2).Apply(image.unsqueeze(0), targets, 8, new Generator(4));
        var first = GridTargets.Boxes(moved, 8)[0].Single(o => o.Label == 1);
        Assert.True(InkBox(images[0]).IoU(first.Box) > 0.9999f, "the first box follows its ink through the flip and the shift");
    }
}
