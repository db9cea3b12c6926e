using Microsoft.ML;
using MLToolkit.Trainers.Optimization;
using MLToolkit.Trainers.Training;
using TorchSharp;

namespace MLToolkit.UnitTests.Optimization;

/// <summary>Every optimizer and regularisation option trains through the real trainer.</summary>
public class OptimizerTests
{
    public static TheoryData<string> Names => new() { "sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam", "adamw" };

    static OptimizerSpec Create(string name) => name switch
    {
        "sgd" => MLToolkit.Optimizers.Sgd(0.1),
        "momentum" => MLToolkit.Optimizers.SgdMomentum(0.05),
        "nesterov" => MLToolkit.Optimizers.Nesterov(0.05),
        "adagrad" => MLToolkit.Optimizers.AdaGrad(0.05),
        "adadelta" => MLToolkit.Optimizers.AdaDelta(1.0),
        "rmsprop" => MLToolkit.Optimizers.RmsProp(1e-3),
        "adam" => MLToolkit.Optimizers.Adam(1e-3),
        _ => MLToolkit.Optimizers.AdamW(1e-3, weightDecay: 0.01),
    };

    static double Accuracy(OptimizerSpec optimizer, Regularization? regularization = null, int rows = 1000)
    {
        var ml = new MLContext(seed: 4);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions
            {
                // No batch norm: one short epoch leaves its running statistics behind the weights, which is not what this tests.
                Architecture = MLToolkit.Architectures.MnistClassic(),
                Epochs = 1,
                BatchSize = 50,
                Optimizer = optimizer,
                Regularization = regularization ?? new Regularization(),
                Threads = 2,
            }))
            .Fit(TestData.Train(ml, rows));
        return ml.MulticlassClassification.Evaluate(model.Transform(TestData.Test(ml, 300))).MicroAccuracy;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Optimizer_learns_digits(string name)
    {
        double accuracy = Accuracy(Create(name));
        Assert.True(accuracy > 0.3, $"{name}: accuracy {accuracy:P1} after one epoch on 1,000 images (chance is 10%)");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_name_makes_its_torch_optimizer_with_its_settings(string name)
    {
        using var layer = torch.nn.Linear(3, 2);
        var spec = Create(name);
        var optimizer = spec.Create(layer.parameters());
        var group = Assert.IsAssignableFrom<TorchSharp.Modules.ParamGroup>(Assert.Single(optimizer.ParamGroups));
        Assert.Equal(spec.LearningRate, group.LearningRate, 12);
        switch (name)
        {
            case "sgd" or "momentum" or "nesterov":
                Assert.IsType<TorchSharp.Modules.SGD>(optimizer);
                var sgd = Assert.IsType<TorchSharp.Modules.SGD.Options>(group.Options);
                Assert.Equal(name == "sgd" ? 0 : 0.9, sgd.momentum);
                Assert.Equal(name == "nesterov", sgd.nesterov);
                break;
            case "adagrad":
                Assert.IsType<TorchSharp.Modules.Adagrad>(optimizer);
                break;
            case "adadelta":
                Assert.IsType<TorchSharp.Modules.Adadelta>(optimizer);
                Assert.Equal(0.9, Assert.IsType<TorchSharp.Modules.Adadelta.Options>(group.Options).rho);
                break;
            case "rmsprop":
                Assert.IsType<TorchSharp.Modules.RMSProp>(optimizer);
                Assert.Equal(0.99, Assert.IsType<TorchSharp.Modules.RMSProp.Options>(group.Options).alpha);
                break;
            case "adam":
                Assert.IsType<TorchSharp.Modules.Adam>(optimizer);
                var adam = Assert.IsType<TorchSharp.Modules.Adam.Options>(group.Options);
                Assert.Equal((0.9, 0.999, 0.0), (adam.beta1!.Value, adam.beta2!.Value, adam.weight_decay!.Value));
                break;
            default:
                Assert.IsType<TorchSharp.Modules.AdamW>(optimizer);
                Assert.Equal(0.01, Assert.IsType<TorchSharp.Modules.AdamW.Options>(group.Options).weight_decay);
                break;
        }
    }

    static float[][] Scores(Regularization regularization)
    {
        var ml = new MLContext(seed: 4);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Cnn(new CnnOptions
            {
                Architecture = MLToolkit.Architectures.MnistClassic(), Epochs = 1, BatchSize = 50, Seed = 8, Threads = 2,
                Optimizer = MLToolkit.Optimizers.Adam(), Regularization = regularization,
            }))
            .Fit(TestData.Train(ml, 500));
        return model.Transform(TestData.Test(ml, 50)).GetColumn<float[]>("Score").ToArray();
    }

    [Fact]
    public void Each_regularisation_changes_the_result_of_a_run_with_the_same_seed()
    {
        var plain = Scores(new Regularization());
        Assert.Equal(plain, Scores(new Regularization())); // the same seed repeats exactly, so any change is the setting's
        foreach (var (name, regularization) in new (string, Regularization)[]
        {
            ("L1", new Regularization { L1 = 1e-4 }), ("L2", new Regularization { L2 = 1e-3 }),
            ("label smoothing", new Regularization { LabelSmoothing = 0.1 }), ("gradient clipping", new Regularization { GradientClipNorm = 0.1 }),
        })
        {
            var regularized = Scores(regularization);
            Assert.True(!plain.Zip(regularized).All(p => p.First.SequenceEqual(p.Second)), $"{name} left every score unchanged");
        }
    }

    [Fact]
    public void Regularisation_options_train()
    {
        double accuracy = Accuracy(MLToolkit.Optimizers.Adam(), new Regularization { L1 = 1e-6, L2 = 1e-4, LabelSmoothing = 0.1, GradientClipNorm = 1.0 });
        Assert.True(accuracy > 0.3, $"accuracy {accuracy:P1}");
    }

    [Fact]
    public void Bad_settings_are_refused_with_the_setting_named()
    {
        Assert.Contains("LearningRate", Assert.Throws<ArgumentException>(() => MLToolkit.Optimizers.Adam(-1)).Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Momentum", Assert.Throws<ArgumentException>(() => MLToolkit.Optimizers.SgdMomentum(momentum: 1.5)).Message);
        Assert.Contains("LabelSmoothing", Assert.Throws<ArgumentException>(() => new Regularization { LabelSmoothing = 1 }).Message);
        Assert.Contains("GradientClipNorm", Assert.Throws<ArgumentException>(() => new Regularization { GradientClipNorm = 0 }).Message);
        Assert.Equal(0.5, MLToolkit.Optimizers.AdamW().WithLearningRate(0.5).LearningRate);
        Assert.True(((AdamSpec)MLToolkit.Optimizers.AdamW().WithLearningRate(0.5)).DecoupledWeightDecay);
    }
}
