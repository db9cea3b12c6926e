using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using MLToolkit.Trainers.Backend;

namespace MLToolkit.Trainers.Training;

/// <summary>
/// Ensemble members trained side by side, each on its own thread, with the process's tensor threads shared out
/// among them. On two cores, two members with one thread each train 1.05–1.17× faster than one after the other with
/// two threads (BENCHMARKS.md, "Parallel ensemble members"): a batch's operations do not keep two threads busy.
/// Each member is the model it would be trained alone with the same seed and thread count: its shuffling,
/// augmentation and layer draws come from its own streams, and the global generator is used only to build networks,
/// one member at a time under <see cref="BuildGate"/>.
/// </summary>
internal sealed class MemberGroup
{
    [ThreadStatic] static MemberGroup? _current;

    /// <summary>The group whose member this thread trains, or null for a training alone.</summary>
    public static MemberGroup? Current => _current;

    /// <summary>Held while a member seeds torch's global generator and builds its network from it.</summary>
    public object BuildGate { get; } = new();

    /// <summary>
    /// Runs <paramref name="jobs"/> and returns their results in order: with <paramref name="atOnce"/> 1, one after
    /// another on this thread, each a training alone (with its own options' thread count); otherwise
    /// <paramref name="atOnce"/> at a time on threads of their own, with <paramref name="threadsEach"/> tensor threads
    /// each. If a job fails, no further job starts, the finished results are handed to <paramref name="discard"/>, and
    /// the first failure is thrown as it was.
    /// </summary>
    public static T[] Run<T>(IReadOnlyList<Func<T>> jobs, int atOnce, int threadsEach, Action<T> discard)
    {
        var results = new T[jobs.Count];
        var finished = new bool[jobs.Count];
        var failures = new ConcurrentQueue<ExceptionDispatchInfo>();
        int next = -1;
        void Work()
        {
            int index;
            while (failures.IsEmpty && (index = Interlocked.Increment(ref next)) < jobs.Count)
            {
                try
                {
                    results[index] = jobs[index]();
                    finished[index] = true;
                }
                catch (Exception e)
                {
                    failures.Enqueue(ExceptionDispatchInfo.Capture(e));
                }
            }
        }

        if (atOnce <= 1) Work();
        else
        {
            var group = new MemberGroup();
            // The group holds the training gate for its members: no other training changes the thread count or the
            // global generator meanwhile.
            lock (TorchRuntime.TrainingGate)
            {
                var workers = Enumerable.Range(0, Math.Min(atOnce, jobs.Count)).Select(worker => new Thread(() =>
                {
                    _current = group;
                    // libtorch's OpenMP thread count is per thread: a new thread starts with every core.
                    TorchRuntime.SetThreads(threadsEach);
                    Work();
                }) { IsBackground = true, Name = $"MLToolkit ensemble member {worker + 1}" }).ToList();
                foreach (var worker in workers) worker.Start();
                foreach (var worker in workers) worker.Join();
            }
        }
        if (failures.TryPeek(out var failure))
        {
            for (int i = 0; i < jobs.Count; i++)
                if (finished[i]) discard(results[i]);
            failure.Throw();
        }
        return results;
    }
}
