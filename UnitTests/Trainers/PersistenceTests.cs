using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.UnitTests.Persistence;

namespace MLToolkit.UnitTests.Trainers;

public class PersistenceTests(TrainedModelFixture trained) : IClassFixture<TrainedModelFixture>
{
    string SaveModel()
    {
        var path = Path.Combine(TestData.TempDirectory(), "model.zip");
        trained.ML.Model.Save(trained.Model, trained.Train.Schema, path);
        return path;
    }

    static float[][] Scores(ITransformer model, IDataView data) =>
        model.Transform(data).GetColumn<float[]>("Score").ToArray();

    [Fact]
    public void Save_then_load_in_a_new_context_gives_identical_scores()
    {
        var path = SaveModel();
        var fresh = new MLContext().RegisterMLToolkit();
        var loaded = fresh.Model.Load(path, out var schema);

        Assert.NotNull(schema.GetColumnOrNull("Image"));
        var test = TestData.Test(fresh, 300);
        var before = Scores(trained.Model, test);
        var after = Scores(loaded, test);
        Assert.Equal(before.Length, after.Length);
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i]);

        // MapKeyToValue still turns keys back into digits after loading.
        var labels = loaded.Transform(test).GetColumn<uint>("PredictedLabel").Take(50);
        Assert.All(labels, l => Assert.InRange(l, 0u, 9u));
        var metrics = fresh.MulticlassClassification.Evaluate(loaded.Transform(test));
        Assert.True(metrics.MicroAccuracy > 0.9);
    }

    [Fact]
    public void Disposing_a_prediction_engine_leaves_the_model_usable()
    {
        var input = trained.ML.Data.CreateEnumerable<DigitInput>(TestData.Test(trained.ML, 1), reuseRowObject: false).First();
        float[] first;
        using (var engine = trained.ML.Model.CreatePredictionEngine<DigitInput, DigitPrediction>(trained.Model))
            first = engine.Predict(input).Score;
        // A web app makes (and disposes) one engine per request; the shared model must survive.
        using var next = trained.ML.Model.CreatePredictionEngine<DigitInput, DigitPrediction>(trained.Model);
        Assert.Equal(first, next.Predict(input).Score);
    }

    [Fact]
    public void Prediction_engine_agrees_with_transform()
    {
        var test = TestData.Test(trained.ML, 100);
        var transformed = trained.Model.Transform(test);
        var scores = transformed.GetColumn<float[]>("Score").ToArray();
        var labels = transformed.GetColumn<uint>("PredictedLabel").ToArray();
        var inputs = trained.ML.Data.CreateEnumerable<DigitInput>(test, reuseRowObject: false).ToArray();

        var engine = trained.ML.Model.CreatePredictionEngine<DigitInput, DigitPrediction>(trained.Model);
        for (int i = 0; i < inputs.Length; i++)
        {
            var prediction = engine.Predict(inputs[i]);
            Assert.Equal(labels[i], prediction.PredictedLabel);
            // Transform scores a batch per forward pass and the engine one image: the sums round differently.
            for (int c = 0; c < scores[i].Length; c++) Assert.Equal(scores[i][c], prediction.Score[c], 1e-5f);
        }
    }

    [Fact]
    public void Prediction_engine_works_on_a_loaded_model()
    {
        var path = SaveModel();
        var fresh = new MLContext();
        var loaded = fresh.LoadModel(path, out _);
        var engine = fresh.Model.CreatePredictionEngine<DigitInput, DigitPrediction>(loaded);
        var input = fresh.Data.CreateEnumerable<DigitInput>(TestData.Test(fresh, 1), reuseRowObject: false).Single();
        var prediction = engine.Predict(input);
        var transformed = loaded.Transform(TestData.Test(fresh, 1)).GetColumn<uint>("PredictedLabel").Single();
        Assert.Equal(transformed, prediction.PredictedLabel);
        Assert.Equal(7u, prediction.PredictedLabel); // the first MNIST test digit is a 7
        Assert.Equal(10, prediction.Score.Length);
    }

    [Fact]
    public void Truncated_model_file_gives_a_clear_error()
    {
        var path = SaveModel();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        var error = Assert.Throws<InvalidDataException>(() => new MLContext().LoadModel(path, out _));
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated, corrupt", error.Message);
    }

    /// <summary>The saved model with one byte of its network's weights flipped.</summary>
    string ModelWithAFlippedWeightByte()
    {
        var path = SaveModel();
        using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update);
        var entry = zip.Entries.Single(e => e.FullName.EndsWith("Network", StringComparison.Ordinal));
        byte[] content;
        using (var read = entry.Open()) { using var copy = new MemoryStream(); read.CopyTo(copy); content = copy.ToArray(); }
        content[content.Length / 2] ^= 0x55;
        using var write = entry.Open();
        write.SetLength(0);
        write.Write(content);
        return path;
    }

    [Fact]
    public void Corrupted_weights_are_detected_not_silently_loaded()
    {
        var path = ModelWithAFlippedWeightByte();
        var error = Assert.Throws<InvalidDataException>(() => new MLContext().LoadModel(path, out _));
        Assert.Contains("Network", error.Message);
    }

    /// <summary>
    /// ML.NET's own <c>ml.Model.Load</c> calls each loader by reflection, which wraps what the loader throws in a
    /// TargetInvocationException per level (two here: the chain, then the CNN stage); the toolkit cannot remove
    /// those wrappers from inside. The root names the damaged stream and why, and <c>ml.LoadModel</c> unwraps it.
    /// </summary>
    [Fact]
    public void Corrupted_weights_read_through_ml_nets_own_load_fail_with_the_damage_at_the_root()
    {
        var path = ModelWithAFlippedWeightByte();
        var error = Assert.ThrowsAny<Exception>(() => new MLContext().RegisterMLToolkit().Model.Load(path, out _));
        var root = error;
        while (root.InnerException is not null) root = root.InnerException;
        Assert.IsType<FormatException>(root);
        Assert.Equal("Corrupt model file: binary stream 'Network' fails its length/SHA-256 check.", root.Message);
        var unwrapped = Assert.Throws<InvalidDataException>(() => new MLContext().LoadModel(path, out _));
        Assert.Equal($"Model file '{path}' cannot be loaded: it is truncated, corrupt or not an ML.NET model ({root.Message}).", unwrapped.Message);
    }

    [Fact]
    public void Registering_twice_and_on_several_contexts_is_harmless()
    {
        var path = SaveModel();
        var a = new MLContext().RegisterMLToolkit().RegisterMLToolkit();
        var b = new MLContext().RegisterMLToolkit();
        Assert.NotNull(a.Model.Load(path, out _));
        Assert.NotNull(b.Model.Load(path, out _));
    }
}
