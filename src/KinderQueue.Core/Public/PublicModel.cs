using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Signals;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Core.Public;

/// <summary>
/// Everything the public side shows, folded from the log alone: the state, the queue index
/// (positions and their histories) and the statistics. The service keeps one; a validator can build
/// one from a downloaded log and must obtain the same public figures.
/// </summary>
public sealed class PublicModel
{
    public QueueState State { get; } = new();

    public QueueIndex Queues { get; } = new();

    public DashboardRecorder Statistics { get; } = new();

    public KindergartenMovement Movement { get; } = new();

    /// <summary>The anomaly signals and their reviews (SPEC.md §17), observed after the queues (it reads their position changes).</summary>
    public SignalLedger Signals { get; }

    public PublicModel() => Signals = new SignalLedger(Queues);

    /// <summary>
    /// Applies one entry. A problem means the log is inconsistent: the state is unchanged and the
    /// problem returned, but the model as a whole must then be discarded (the movement saw the entry).
    /// </summary>
    public ValidationProblem? Apply(LogEntry entry, LogEvent e)
    {
        Movement.Before(entry, e, State);
        var problem = State.Apply(entry, e);
        if (problem is not null) return problem;
        Queues.Observe(entry, e, State);
        Statistics.Observe(entry, e, State);
        Signals.Observe(entry, e, State);
        return null;
    }

    /// <summary>True when <paramref name="today"/> is later than the date the queues were computed for.</summary>
    public bool NeedsAdvance(LocalDate today) => Queues.AsOf is { } asOf && today > asOf;

    /// <summary>Moves the queues to today with no new entry (ages, enrolment years, criteria taking effect).</summary>
    public void AdvanceTo(LocalDate today) => Queues.AdvanceTo(today, State);
}
