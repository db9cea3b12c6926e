using MLToolkit.Pipelines.Runs;

namespace MLToolkit.Pipelines.Experiments;

/// <summary>A named experiment of the host: builds a pipeline, trains it and evaluates it.</summary>
public interface IExperiment
{
    /// <summary>The name typed on the command line.</summary>
    string Name { get; }

    /// <summary>One line saying what the experiment does.</summary>
    string Description { get; }

    /// <summary>Runs the experiment; the context applies the user's overrides and records the run.</summary>
    ExperimentResult Run(ExperimentContext context);
}
