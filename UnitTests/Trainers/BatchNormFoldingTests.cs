using Microsoft.ML;
using MLToolkit.Datasets.Images;
using MLToolkit.Trainers.Networks;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Trainers.Scoring;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLToolkit.UnitTests.Trainers;

/// <summary>
/// Scoring folds each batch norm into the convolution or dense layer before it (<see cref="BatchNormFolding"/>): the
/// probabilities stay those of the trained network, and the trained network itself, which is saved and exported,
/// keeps its batch norms.
/// </summary>
public class BatchNormFoldingTests
{
    [Fact]
    public void Scores_are_those_of_the_trained_network_and_the_saved_network_keeps_its_batch_norms()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions
            {
                Architecture = Architectures.MnistBestCnn(), Epochs = 1, BatchSize = 50, Seed = 5,
            }))
            .Fit(TestData.Train(ml, 300));
        var cnn = ((IEnumerable<ITransformer>)model).OfType<CnnTransformer>().Single();
        var network = cnn.Scorer.Networks[0];
        Assert.Equal(4, network.modules().Count(m => m is BatchNorm));

        var test = TestData.Test(ml, 100);
        var scores = model.Transform(test).GetColumn<float[]>("Score").ToArray();
        var images = test.GetColumn<float[]>("Image").SelectMany(image => image).ToArray();
        float[] expected;
        using (torch.no_grad())
        {
            // The trained network as it is, batch norms and all (and in its usual NCHW layout).
            var input = torch.tensor(images, [100, 1, 28, 28]);
            expected = nn.functional.softmax(network.call(input), 1).data<float>().ToArray();
        }
        for (int row = 0; row < 100; row++)
            for (int c = 0; c < 10; c++)
                Assert.True(Math.Abs(scores[row][c] - expected[row * 10 + c]) < 1e-5,
                    $"row {row}, class {c}: scored {scores[row][c]}, the trained network gives {expected[row * 10 + c]}");

        // What scores has no batch norm left; what is saved keeps all four.
        Assert.DoesNotContain(cnn.Scorer.ScoringNetworks[0].modules(), m => m is BatchNorm);
        Assert.Equal(4, network.modules().Count(m => m is BatchNorm));
    }

    /// <summary>Batch norms without learned scale and shift (affine: false), after a convolution and a dense layer.</summary>
    sealed class PlainNorms : IArchitecture
    {
        public string Name => "plain-norms";

        public nn.Module<Tensor, Tensor> Build(ImageShape input, int classes) => nn.Sequential(
            ("conv", nn.Conv2d(input.Channels, 8, 3, padding: 1)), ("bn", nn.BatchNorm2d(8, affine: false)), ("relu", nn.ReLU()),
            ("pool", nn.MaxPool2d(2)), ("flatten", nn.Flatten()),
            ("dense", nn.Linear(8 * (input.Height / 2) * (input.Width / 2), 32)), ("dense_bn", nn.BatchNorm1d(32, affine: false)),
            ("dense_relu", nn.ReLU()), ("output", nn.Linear(32, classes)));
    }

    [Fact]
    public void Norms_without_scale_fold_and_an_apps_open_dispose_scope_does_not_take_the_folded_weights()
    {
        var ml = new MLContext(seed: 1);
        var test = TestData.Test(ml, 50);
        ITransformer model;
        float[][] inside;
        // An app that scores inside its own dispose scope: the first scoring folds, and the folded weights must outlive it.
        using (var scope = torch.NewDisposeScope())
        {
            model = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Architecture = new PlainNorms(), Epochs = 1, BatchSize = 50, Seed = 5 }))
                .Fit(TestData.Train(ml, 300));
            inside = model.Transform(test).GetColumn<float[]>("Score").ToArray();
        }
        var after = model.Transform(test).GetColumn<float[]>("Score").ToArray();
        Assert.Equal(inside, after);
        var cnn = ((IEnumerable<ITransformer>)model).OfType<CnnTransformer>().Single();
        Assert.DoesNotContain(cnn.Scorer.ScoringNetworks[0].modules(), m => m is BatchNorm);

        var images = test.GetColumn<float[]>("Image").SelectMany(image => image).ToArray();
        using (torch.no_grad())
        {
            var expected = nn.functional.softmax(cnn.Scorer.Networks[0].call(torch.tensor(images, [50, 1, 28, 28])), 1).data<float>().ToArray();
            for (int row = 0; row < 50; row++)
                for (int c = 0; c < 10; c++)
                    Assert.True(Math.Abs(after[row][c] - expected[row * 10 + c]) < 1e-5, $"row {row}, class {c}: {after[row][c]} against {expected[row * 10 + c]}");
        }
    }
}
