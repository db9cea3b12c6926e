using MLToolkit.Pipelines.Runs;
using MLToolkit.Trainers.Training;
using Spectre.Console;

namespace MLToolkit.Pipelines.Display;

/// <summary>
/// Shows training progress: a live bar per epoch (loss, accuracy, learning rate, images/s, time
/// left — for an ensemble member, the whole ensemble's) on an interactive terminal, or a plain line
/// every tenth of an epoch when the output is redirected. Every epoch's summary also goes to the run's train.log. Ensemble members that train side by side
/// each have their own bar and lines (the state is kept per model).
/// </summary>
public sealed class ConsoleProgress(RunFolder run) : ITrainingCallback
{
    ProgressContext? _live;
    readonly Dictionary<int, ProgressTask> _tasks = [];
    readonly Dictionary<int, int> _lastPlainTenth = [];

    /// <summary>Whether the live display can be used (an interactive terminal).</summary>
    public static bool Interactive => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    /// <summary>Runs <paramref name="work"/> with the live display around it when the terminal allows.</summary>
    public T Show<T>(Func<T> work)
    {
        if (!Interactive) return work();
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .Start(context =>
            {
                _live = context;
                result = work();
            });
        _live = null;
        return result;
    }

    /// <inheritdoc />
    public void OnBatchEnd(TrainingProgress p)
    {
        var text = Describe(p);
        int model = p.Model.Index;
        if (_live is not null)
        {
            if (!_tasks.TryGetValue(model, out var task) || p.Batch == 1)
                _tasks[model] = task = _live.AddTask(text, maxValue: p.Batches);
            task.Description = Markup.Escape(text);
            task.Value = p.Batch;
            return;
        }
        int tenth = (int)(10L * p.Batch / p.Batches);
        if (p.Batch == 1) _lastPlainTenth[model] = 0;
        if (tenth > _lastPlainTenth.GetValueOrDefault(model) && p.Batch < p.Batches)
        {
            _lastPlainTenth[model] = tenth;
            Console.WriteLine(text);
        }
    }

    /// <inheritdoc />
    public void OnEpochEnd(TrainingProgress p, EpochSummary summary)
    {
        var line = $"{Model(p)}epoch {summary.Epoch}/{p.Epochs}  loss {summary.Loss:F4}  accuracy {summary.Accuracy:P2}  " +
                   $"lr {summary.LearningRate:G3}  {summary.Seconds:F1}s  memory {summary.WorkingSetMegabytes:F0} MB  " +
                   $"time left {TimeLeft(p)}";
        run.Log(line);
        if (_tasks.Remove(p.Model.Index, out var task))
        {
            task.Description = Markup.Escape(line);
            task.StopTask();
        }
        else
        {
            Console.WriteLine(line);
        }
    }

    // For an ensemble member, the time the user waits for: the whole ensemble's.
    // Hours are counted on past 24 (a format of hh would drop the days).
    static string TimeLeft(TrainingProgress p)
    {
        var left = p.EnsembleRemaining ?? p.Remaining;
        return $"{(int)left.TotalHours:D2}:{left:mm\\:ss}";
    }

    static string Model(TrainingProgress p) => p.Model.Count > 1 ? $"model {p.Model.Index}/{p.Model.Count}  " : "";

    static string Describe(TrainingProgress p) =>
        $"{Model(p)}epoch {p.Epoch}/{p.Epochs}  batch {p.Batch}/{p.Batches}  loss {p.Loss:F4}  accuracy {p.Accuracy:P2}  " +
        $"lr {p.LearningRate:G3}  {p.ImagesPerSecond:F0} img/s  time left {TimeLeft(p)}";
}
