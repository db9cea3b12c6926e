using MLToolkit.Trainers.Estimators;

namespace MLToolkit.UnitTests.Docs;

/// <summary>What a package user can bind to: the estimators, options, layers and factories, not the machinery behind them.</summary>
public class PublicSurfaceTests
{
    static readonly Type[] Exported = typeof(CnnTrainer).Assembly.GetExportedTypes();

    [Fact]
    public void The_training_persistence_and_scoring_machinery_is_internal()
    {
        string[] machinery = ["TrainingLoop", "TrainingRun", "Checkpoint", "CnnModelFile", "ModelPersistence", "ScoringMapping",
            "LoadContextView", "ToolkitPersistence", "PersistenceFormat", "TensorDataset", "OnnxGraph", "OnnxWeightImport"];
        Assert.Empty(Exported.Where(t => machinery.Contains(t.Name)).Select(t => t.FullName));
    }

    [Fact]
    public void No_torch_module_class_is_public()
    {
        // Networks are built from the layer API and handed out as nn.Module; their module classes are an implementation detail.
        Assert.Empty(Exported.Where(t => typeof(TorchSharp.torch.nn.Module).IsAssignableFrom(t)).Select(t => t.FullName));
    }

    [Fact]
    public void No_namespace_is_named_like_a_public_class_of_the_toolkit()
    {
        // A namespace MLToolkit.Trainers.Layers beside the class MLToolkit.Layers made "Layers.Conv2D(...)" mean the
        // namespace inside the toolkit's own namespaces, so code had to write MLToolkit.Layers.
        var classNames = Exported.Select(t => t.Name).ToHashSet();
        var namespaceParts = Exported.Select(t => t.Namespace ?? "").SelectMany(n => n.Split('.')).ToHashSet();
        Assert.Empty(namespaceParts.Intersect(classNames));
    }
}
