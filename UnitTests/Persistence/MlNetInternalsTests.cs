using System.Reflection;
using Microsoft.ML;
using MLToolkit.Trainers.Persistence;

namespace MLToolkit.UnitTests.Persistence;

/// <summary>The ML.NET internals reached by reflection: resolved on first use, a mismatch said in words.</summary>
public class MlNetInternalsTests
{
    [Fact]
    public void Every_member_resolves_in_the_supported_ml_net()
    {
        var core = typeof(ModelSaveContext).Assembly;
        Assert.Equal(MlNetInternals.SupportedVersion, MlNetInternals.VersionOf(core));
        new MlNetInternals.Members(core).ResolveAll();
    }

    [Fact]
    public void A_missing_member_names_itself_and_both_versions_without_a_type_initializer_wrapper()
    {
        // An assembly without ML.NET's types stands for an ML.NET version that moved them.
        var other = typeof(object).Assembly;
        var error = Assert.Throws<MissingMemberException>(() => new MlNetInternals.Members(other).ResolveAll());
        Assert.Contains("'Microsoft.ML.VersionInfo'", error.Message);
        Assert.Contains($"{other.GetName().Name} {MlNetInternals.VersionOf(other)}", error.Message);
        Assert.Contains("Microsoft.ML 5.0.1 exactly", error.Message);
    }

    [Fact]
    public void The_catalogs_environment_is_reached_and_a_foreign_object_is_refused_by_name()
    {
        var ml = new MLContext(seed: 3);
        Assert.NotNull(MlNetInternals.EnvironmentOf(ml.MulticlassClassification.Trainers));
        var error = Assert.Throws<MissingMemberException>(() => MlNetInternals.EnvironmentOf("not a catalog"));
        Assert.Contains("IInternalCatalog.Environment of String", error.Message);
    }
}
