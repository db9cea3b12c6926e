using Microsoft.ML;
using MLToolkit.Datasets.Segmentation;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Trainers.Segmentation;
using MLToolkit.UnitTests.Pipelines;

namespace MLToolkit.UnitTests.Onnx;

/// <summary>
/// A model trained by each kind of experiment, exported with the host's <c>export</c> command and run by ONNX
/// Runtime on real test images, gives the saved model's probabilities within 1e-4 and its predictions.
/// </summary>
public class OnnxExportExperimentTests
{
    static string Export(string run)
    {
        string onnx = Path.Combine(TestData.TempDirectory(), "exported.onnx");
        var (exit, text, error) = HostCommandTests.Invoke("export", Path.Combine(run, "model.zip"), "--onnx", onnx);
        Assert.True(exit == 0, error);
        Assert.Contains($"Wrote {onnx}", text);
        return onnx;
    }

    static string Train(params string[] args)
    {
        var output = TestData.TempDirectory();
        var (exit, _, error) = HostCommandTests.Invoke([.. args, "--output", output]);
        Assert.True(exit == 0, error);
        return Assert.Single(Directory.GetDirectories(output));
    }

    /// <summary>Scores <paramref name="test"/> with the saved model and with the exported file, and compares.</summary>
    static void AssertClassifierParity(string run, Func<MLContext, IDataView> test)
    {
        string onnx = Export(run);
        var ml = new MLContext();
        var model = ml.LoadModel(Path.Combine(run, "model.zip"), out _).ForPrediction();
        var cnn = model.Flatten().OfType<CnnTransformer>().Single();
        var scored = model.Transform(test(ml));
        var images = scored.GetColumn<float[]>(cnn.FeatureColumnName).ToArray();
        var expected = scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        var shape = cnn.Scorer.Shape;
        var actual = OnnxRunner.Run(onnx, images.SelectMany(i => i).ToArray(), images.Length, [shape.Channels, shape.Height, shape.Width])[OnnxExport.ProbabilitiesName];
        OnnxRunner.AssertSameProbabilities(expected, actual, cnn.Scorer.Classes, 1e-4, run);
        var metadata = OnnxExport.ReadMetadata(onnx);
        Assert.Equal(cnn.LabelValues!.Values, metadata.Labels);
        Assert.Equal("classification", metadata.Task);
    }

    static IDataView MnistTest(MLContext ml, int rows) => ml.Data.TakeRows(MLToolkit.Datasets.Mnist.Mnist.Load(ml).Test, rows);

    [Fact]
    public void Mnist_model_exported_by_the_host_scores_the_test_images_as_the_model_does() =>
        AssertClassifierParity(Train("mnist", "--epochs", "1", "--train-rows", "600", "--test-rows", "100"), ml => MnistTest(ml, 200));

    [Fact]
    public void Ensemble_of_mnist_best_is_one_graph_that_scores_as_the_ensemble_does() =>
        AssertClassifierParity(Train("mnist-best", "--epochs", "1", "--train-rows", "300", "--test-rows", "100"), ml => MnistTest(ml, 200));

    [Fact]
    public void Pretrained_photo_model_exports_with_its_imagenet_normalisation()
    {
        var (root, run) = YourOwnPhotosTests.Trained.Value;
        AssertClassifierParity(run, ml => ml.Data.LoadFromEnumerable(
            Directory.GetFiles(Path.Combine(root, "val"), "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(f => new PhotoRow { ImagePath = f })));
    }

    sealed class PhotoRow
    {
        public string ImagePath { get; set; } = "";
    }

    [Fact]
    public void Segment_mnist_model_exports_masks_equal_to_the_models()
    {
        string run = Train("segment-mnist", "--epochs", "1", "--train-rows", "300", "--test-rows", "40");
        string onnx = Export(run);
        var ml = new MLContext();
        var model = ml.LoadModel(Path.Combine(run, "model.zip"), out _);
        var segmenter = model.Flatten().OfType<SegmentationTransformer>().Single();
        var (_, test) = MnistScenes.Generate(ml, new SceneOptions { Seed = 1, TrainScenes = 1, TestScenes = 30 });
        var scored = model.Transform(test);
        var images = scored.GetColumn<float[]>(segmenter.FeatureColumnName).ToArray();
        var masks = scored.GetColumn<uint[]>(segmenter.PredictedMaskColumnName).ToArray();
        var shape = segmenter.InputShape;
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx);
        using var results = session.Run([Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor(OnnxExport.InputName,
            new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(images.SelectMany(i => i).ToArray(), [images.Length, shape.Channels, shape.Height, shape.Width]))]);
        var exported = results.Single(r => r.Name == OnnxExport.MaskName).AsEnumerable<long>().ToArray();
        Assert.Equal(masks.SelectMany(m => m).Select(v => (long)v).ToArray(), exported);
        // A one-epoch run still labels (almost) every pixel background, so the masks alone would prove little: the
        // probabilities behind them are compared too.
        var expected = segmenter.Scorer.Score(images.SelectMany(i => i).ToArray(), images.Length);
        var probabilities = results.Single(r => r.Name == OnnxExport.ProbabilitiesName).AsEnumerable<float>().ToArray();
        Assert.True(expected.Zip(probabilities, (e, a) => Math.Abs(e - a)).Max() <= 1e-4, "probabilities differ by more than 1e-4");
        Assert.True(expected.Max() - expected.Min() > 0.5, "the probabilities hardly vary; the comparison would prove little");
        Assert.Equal("segmentation", OnnxExport.ReadMetadata(onnx).Task);
        Assert.Equal(MnistScenes.ClassNames, OnnxExport.ReadMetadata(onnx).Labels);
    }

    [Fact]
    public void Export_errors_name_what_was_wrong_and_write_nothing()
    {
        var folder = TestData.TempDirectory();
        var (exit, _, error) = HostCommandTests.Invoke("export", Path.Combine(folder, "missing.zip"), "--onnx", Path.Combine(folder, "m.onnx"));
        Assert.Equal(1, exit);
        Assert.Contains("missing.zip", error);
        (exit, _, error) = HostCommandTests.Invoke("export", Path.Combine(folder, "missing.zip"), "--onnx", folder);
        Assert.Equal(1, exit);
        Assert.Contains("is a folder", error);
        (exit, _, error) = HostCommandTests.Invoke("export", Path.Combine(folder, "missing.zip"));
        Assert.NotEqual(0, exit);
        Assert.Contains("--onnx", error);
        Assert.Empty(Directory.GetFiles(folder));
    }
}
