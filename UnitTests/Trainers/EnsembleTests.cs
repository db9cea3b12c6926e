using Microsoft.ML;
using Microsoft.ML.Data;
using MLToolkit.Trainers.Estimators;
using MLToolkit.Trainers.Scoring;

namespace MLToolkit.UnitTests.Trainers;

public class EnsembleTests
{
    static (MLContext Ml, IDataView Train, IDataView Test) Data()
    {
        var ml = new MLContext(seed: 11);
        return (ml, TestData.Train(ml, 1500), TestData.Test(ml, 300));
    }

    static CnnOptions Small() => new() { Epochs = 1, BatchSize = 50 };

    [Fact]
    public void Ensemble_averages_member_probabilities_and_round_trips()
    {
        var (ml, train, test) = Data();
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.CnnEnsemble(members: 2, member: Small()))
            .Fit(train);
        var cnn = model.LastTransformer;
        Assert.Equal(2, cnn.Scorer.Networks.Count);

        var keyed = model.Take(1).Aggregate(test, (data, stage) => stage.Transform(data));
        var ensemble = cnn.Transform(keyed).GetColumn<float[]>("Score").ToArray();
        var first = cnn.Member(0).Transform(keyed).GetColumn<float[]>("Score").ToArray();
        var second = cnn.Member(1).Transform(keyed).GetColumn<float[]>("Score").ToArray();
        Assert.NotEqual(first[0], second[0]); // different seeds, different members
        for (int i = 0; i < ensemble.Length; i++)
            for (int c = 0; c < 10; c++)
                Assert.Equal((first[i][c] + second[i][c]) / 2, ensemble[i][c], 5);

        // Valid weights 1 and 3: a quarter of the first member's probabilities and three quarters of the second's.
        var weighted = cnn.WithScoring(new ScoringSettings(EnsembleCombination.AverageProbabilities, [1.0, 3.0]))
            .Transform(keyed).GetColumn<float[]>("Score").ToArray();
        for (int i = 0; i < weighted.Length; i++)
            for (int c = 0; c < 10; c++)
                Assert.Equal((first[i][c] + 3 * second[i][c]) / 4, weighted[i][c], 5);

        var accuracy = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        Assert.True(accuracy > 0.8, $"ensemble accuracy {accuracy:P2}");

        var path = Path.Combine(TestData.TempDirectory(), "ensemble.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = new MLContext().LoadModel(path, out _);
        Assert.Equal(model.Transform(test).GetColumn<float[]>("Score").ToArray(), loaded.Transform(test).GetColumn<float[]>("Score").ToArray());
    }

    [Fact]
    public void Ensemble_of_different_architectures_with_majority_vote()
    {
        var (ml, train, test) = Data();
        var trainers = new[]
        {
            ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Epochs = 1, BatchSize = 50, Architecture = Architectures.MnistClassic() }),
            ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Epochs = 1, BatchSize = 50, Architecture = Architectures.MnistBestCnn() }),
            ml.MulticlassClassification.Trainers.Cnn(new CnnOptions { Epochs = 1, BatchSize = 50, Architecture = Architectures.MnistClassic(), Seed = 99 }),
        };
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.CnnEnsemble(trainers, new EnsembleOptions { Combination = EnsembleCombination.MajorityVote }))
            .Fit(train);
        Assert.Equal(["mnist-classic", "mnist-best", "mnist-classic"], model.LastTransformer.Architectures.Select(a => a.Name));
        var cnn = model.LastTransformer;
        var keyed = model.Take(1).Aggregate(test, (data, stage) => stage.Transform(data));
        var scores = cnn.Transform(keyed).GetColumn<float[]>("Score").ToArray();
        // Each member's own vote is the class of its highest probability; the ensemble's score of a class is its share of the three votes.
        var votes = Enumerable.Range(0, 3)
            .Select(m => cnn.Member(m).Transform(keyed).GetColumn<float[]>("Score").Select(s => Array.IndexOf(s, s.Max())).ToArray())
            .ToArray();
        Assert.True(votes[0].Zip(votes[1], (a, b) => a != b).Any(), "the members disagree somewhere, or the vote tests nothing");
        for (int i = 0; i < scores.Length; i++)
            for (int c = 0; c < 10; c++)
                Assert.Equal(votes.Count(v => v[i] == c) / 3f, scores[i][c], 5);
    }

    [Fact]
    public void Test_time_augmentation_is_deterministic_and_needs_a_policy()
    {
        var (ml, train, test) = Data();
        var augmented = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Augment("Image", Augmentations.RandomAffine(10, 0.1)))
            .Append(ml.MulticlassClassification.Trainers.CnnEnsemble(1, Small(), new EnsembleOptions { TestTimeAugmentationViews = 4 }))
            .Fit(train);
        var a = augmented.Transform(test).GetColumn<float[]>("Score").ToArray();
        var b = augmented.Transform(test).GetColumn<float[]>("Score").ToArray();
        Assert.Equal(a, b);
        var plain = augmented.LastTransformer.Member(0);
        var keyedAugmented = augmented.Take(2).Aggregate(test, (data, stage) => stage.Transform(data));
        var plainScores = plain.Transform(keyedAugmented).GetColumn<float[]>("Score").ToArray();
        Assert.NotEqual(plainScores[0], a[0]);
        // Rescoring without augmentation gives the plain scores back, without retraining.
        var rescored = augmented.LastTransformer.WithScoring(new ScoringSettings());
        Assert.Equal(plainScores, rescored.Transform(keyedAugmented).GetColumn<float[]>("Score").ToArray());

        var error = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.CnnEnsemble(1, Small(), new EnsembleOptions { TestTimeAugmentationViews = 2 }))
            .Fit(train));
        Assert.Contains("Augment", error.Message);
    }

    [Fact]
    public void Test_time_augmentation_can_be_added_to_a_loaded_model_without_retraining()
    {
        var (ml, train, test) = Data();
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Augment("Image", Augmentations.RandomAffine(10, 0.1)))
            .Append(ml.MulticlassClassification.Trainers.Cnn(Small()))
            .Fit(train);
        var path = Path.Combine(TestData.TempDirectory(), "plain.zip");
        ml.Model.Save(model, train.Schema, path);
        var loaded = new MLContext().LoadModel(path, out _);
        var plain = loaded.Transform(test).GetColumn<float[]>("Score").ToArray();

        // The views use the model's own augmentation policy; 0 views gives the plain scores back.
        var withViews = loaded.WithTestTimeAugmentation(3);
        var augmented = withViews.Transform(test).GetColumn<float[]>("Score").ToArray();
        Assert.Equal(plain.Length, augmented.Length);
        Assert.NotEqual(plain[0], augmented[0]);
        Assert.All(augmented, row => Assert.Equal(1f, row.Sum(), 4));
        Assert.Equal(augmented, withViews.Transform(test).GetColumn<float[]>("Score").ToArray());
        // Each image draws its own views, so one image at a time (PredictionEngine) gives the same scores as a batch.
        var engine = ml.Model.CreatePredictionEngine<Persistence.DigitInput, Persistence.DigitPrediction>(withViews);
        var third = ml.Data.CreateEnumerable<Persistence.DigitInput>(test, reuseRowObject: false).ElementAt(2);
        Assert.All(augmented[2].Zip(engine.Predict(third).Score), p => Assert.Equal(p.First, p.Second, 1e-5f));
        Assert.Equal(plain, withViews.WithTestTimeAugmentation(0).Transform(test).GetColumn<float[]>("Score").ToArray());
        // The original is untouched.
        Assert.Equal(plain, loaded.Transform(test).GetColumn<float[]>("Score").ToArray());
        // A chain of chains (a fitted model with a stage appended) has its CNN found and augmented too.
        var nested = new TransformerChain<ITransformer>(loaded, ml.Transforms.CopyColumns("Scores", "Score").Fit(loaded.Transform(test)));
        Assert.Equal(augmented, nested.WithTestTimeAugmentation(3).Transform(test).GetColumn<float[]>("Score").ToArray());

        var unaugmented = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.Cnn(Small())).Fit(train);
        var error = Assert.Throws<ArgumentException>(() => unaugmented.WithTestTimeAugmentation(2));
        Assert.Contains("no augmentation stage", error.Message);
        Assert.Contains("CnnTransformer", Assert.Throws<ArgumentException>(() =>
            ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).WithTestTimeAugmentation(2)).Message);
    }

    [Fact]
    public void Ensemble_rejects_bad_settings()
    {
        var ml = new MLContext();
        Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.CnnEnsemble(0, Small()));
        var error = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.CnnEnsemble(2, Small(),
            new EnsembleOptions { Weights = [1.0] }));
        Assert.Contains("weights", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
