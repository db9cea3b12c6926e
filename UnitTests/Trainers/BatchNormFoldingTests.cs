using Microsoft.ML;
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

        var created = new List<nn.Module>();
        var folded = BatchNormFolding.Fold(network, created);
        Assert.DoesNotContain(folded.modules(), m => m is BatchNorm);
        Assert.Equal(4, network.modules().Count(m => m is BatchNorm));
    }
}
