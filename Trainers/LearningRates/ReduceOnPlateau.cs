namespace MLToolkit.Trainers.LearningRates;

/// <summary>
/// Reduce on plateau (Keras' ReduceLROnPlateau): after <see cref="Patience"/> epochs without the
/// monitored loss improving by more than <see cref="MinDelta"/>, multiplies the rate by
/// <see cref="Gamma"/>, never below <see cref="MinFactor"/> × base. The monitored loss is the
/// validation loss when validation data is given, else the training loss. Stateful: one instance
/// per training run (an ensemble copies it for each member).
/// </summary>
public sealed class ReduceOnPlateau : IAdaptiveSchedule
{
    double _factor = 1, _best = double.PositiveInfinity;
    int _wait;

    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public ReduceOnPlateau(double gamma = 0.5, int patience = 2, double minFactor = 1e-3, double minDelta = 1e-4)
    {
        if (!(gamma > 0 && gamma < 1)) throw new ArgumentException($"gamma must be in (0, 1); it is {gamma}.", nameof(gamma));
        if (patience < 0) throw new ArgumentException($"patience must be >= 0; it is {patience}.", nameof(patience));
        if (!(minFactor > 0 && minFactor <= 1)) throw new ArgumentException($"minFactor must be in (0, 1]; it is {minFactor}.", nameof(minFactor));
        if (!(minDelta >= 0)) throw new ArgumentException($"minDelta must be >= 0; it is {minDelta}.", nameof(minDelta));
        (Gamma, Patience, MinFactor, MinDelta) = (gamma, patience, minFactor, minDelta);
    }

    /// <summary>Factor applied at each reduction.</summary>
    public double Gamma { get; }

    /// <summary>Epochs without improvement before a reduction.</summary>
    public int Patience { get; }

    /// <summary>The smallest factor.</summary>
    public double MinFactor { get; }

    /// <summary>Improvements smaller than this do not count.</summary>
    public double MinDelta { get; }

    /// <inheritdoc />
    public double Factor(SchedulePosition position) => _factor;

    /// <inheritdoc />
    public void Reset() => (_factor, _best, _wait) = (1, double.PositiveInfinity, 0);

    /// <inheritdoc />
    public void OnEpochEnd(double monitoredLoss)
    {
        if (monitoredLoss < _best - MinDelta)
        {
            (_best, _wait) = (monitoredLoss, 0);
            return;
        }
        if (++_wait > Patience)
        {
            _factor = Math.Max(MinFactor, _factor * Gamma);
            _wait = 0;
        }
    }

    /// <inheritdoc />
    public double[] GetState() => [_factor, _best, _wait];

    /// <inheritdoc />
    public void SetState(double[] state) => (_factor, _best, _wait) = (state[0], state[1], (int)state[2]);

    /// <summary>A fresh copy with the same settings (for another training run).</summary>
    public ReduceOnPlateau Clone() => new(Gamma, Patience, MinFactor, MinDelta);
}
