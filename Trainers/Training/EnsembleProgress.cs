namespace MLToolkit.Trainers.Training;

/// <summary>
/// Estimates how long the whole ensemble still needs while its members train, so a display can say "time left" for
/// the fit a user waits on, not only for the member in progress (a 20-minute ensemble of four showed its members'
/// five minutes, then counted down to zero four times). Each member's progress passes through <see cref="For"/>,
/// which sets <see cref="TrainingProgress.EnsembleRemaining"/> before handing it on.
/// </summary>
/// <remarks>
/// A member not yet started is expected to take the observed seconds per epoch times its own epochs; members run
/// <c>atOnce</c> at a time, each taking the first free slot, as <see cref="MemberGroup.Run"/> schedules them. The
/// seconds per epoch weigh each member by the work it has done, so a member that has just started (its first batches
/// the slowest) does not swing the figure. Two limits: a member's clock starts after its data are read and its network
/// built, so the members to come are estimated without that setup; and members of different designs or batch sizes
/// are all expected at the mean speed.
/// </remarks>
internal sealed class EnsembleProgress
{
    readonly object _gate = new();
    readonly IReadOnlyList<int> _epochs;
    readonly int _atOnce;
    readonly Member?[] _members;

    /// <param name="epochs">Each member's number of epochs, in order.</param>
    /// <param name="atOnce">How many members train at the same time.</param>
    public EnsembleProgress(IReadOnlyList<int> epochs, int atOnce)
    {
        _epochs = epochs;
        _atOnce = Math.Max(1, atOnce);
        _members = new Member?[epochs.Count];
    }

    /// <summary>The callback to train member <paramref name="index"/> (0-based) with, forwarding to <paramref name="targets"/>.</summary>
    public ITrainingCallback For(int index, IEnumerable<ITrainingCallback> targets) => new Forwarder(this, index, [.. targets]);

    /// <summary>Records <paramref name="progress"/> of member <paramref name="index"/> and returns it with the ensemble's time left.</summary>
    public TrainingProgress Update(int index, TrainingProgress progress)
    {
        lock (_gate)
        {
            // A resumed member trains only the epochs after its checkpoint; its first report tells which.
            var member = _members[index] ??= new Member { EpochsThisRun = progress.Epochs - progress.Epoch + 1 };
            member.Elapsed = progress.Elapsed;
            member.EstimatedRun = progress.Elapsed + progress.Remaining;
            member.Remaining = progress.Remaining;
            return progress with { EnsembleRemaining = EnsembleRemaining() };
        }
    }

    /// <summary>
    /// Member <paramref name="index"/> has ended: nothing of it is left, even if early stopping ended it before its
    /// estimate, or its checkpoint held it finished and it never reported.
    /// </summary>
    public void Finished(int index)
    {
        lock (_gate) (_members[index] ??= new Member()).Remaining = TimeSpan.Zero;
    }

    TimeSpan EnsembleRemaining()
    {
        var timed = _members.OfType<Member>().Where(m => m.EpochsThisRun > 0 && m.EstimatedRun > TimeSpan.Zero).ToList();
        double epochsDone = timed.Sum(m => m.EpochsThisRun * (m.Elapsed / m.EstimatedRun));
        double secondsPerEpoch = epochsDone > 0 ? timed.Sum(m => m.Elapsed.TotalSeconds) / epochsDone : 0;
        // A slot per member at once, free when its running member ends; members not started take the next free slot.
        var slots = _members.OfType<Member>().Select(m => m.Remaining.TotalSeconds).Where(s => s > 0).ToList();
        while (slots.Count < _atOnce) slots.Add(0);
        for (int i = 0; i < _members.Length; i++)
        {
            if (_members[i] is not null) continue;
            int first = slots.IndexOf(slots.Min());
            slots[first] += secondsPerEpoch * _epochs[i];
        }
        return TimeSpan.FromSeconds(slots.Max());
    }

    sealed class Member
    {
        public int EpochsThisRun { get; init; }
        public TimeSpan Elapsed { get; set; }
        public TimeSpan EstimatedRun { get; set; }
        public TimeSpan Remaining { get; set; }
    }

    sealed class Forwarder(EnsembleProgress owner, int index, IReadOnlyList<ITrainingCallback> targets) : ITrainingCallback
    {
        public void OnBatchEnd(TrainingProgress progress)
        {
            var update = owner.Update(index, progress);
            foreach (var target in targets) target.OnBatchEnd(update);
        }

        public void OnEpochEnd(TrainingProgress progress, EpochSummary summary)
        {
            var update = owner.Update(index, progress);
            foreach (var target in targets) target.OnEpochEnd(update, summary);
        }
    }
}
