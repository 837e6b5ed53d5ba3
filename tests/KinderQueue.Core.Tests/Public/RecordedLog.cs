using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Core.Tests.Public;

/// <summary>
/// A log under construction with a dashboard recorder following the fold, as the service will run
/// it: each event is offered to <see cref="QueueState.Apply"/>; if accepted it is chained and observed.
/// </summary>
public sealed class RecordedLog
{
    public static readonly DateTimeZone Moscow = DateTimeZoneProviders.Tzdb["Europe/Moscow"];

    public QueueState State { get; } = new();
    public DashboardRecorder Recorder { get; } = new();
    public LogChain Chain { get; } = new();
    public List<(LogEntry Entry, LogEvent Event)> Entries { get; } = [];

    /// <summary>An instant at 09:00 Moscow time (06:00 UTC) on the date.</summary>
    public static Instant On(int year, int month, int day, int minute = 0) =>
        Instant.FromUtc(year, month, day, 6, 0) + Duration.FromMinutes(minute);

    public static Instant On(LocalDate date, int minute = 0) => On(date.Year, date.Month, date.Day, minute);

    public ValidationProblem? Try(Instant at, LogEvent e)
    {
        var entry = new LogEntry(State.Size, Formats.TruncateToMillisecond(at), "staff:s-1", e.Type, EventCodec.Encode(e), Chain.Head.ToArray());
        var problem = State.Apply(entry, e);
        if (problem is not null) return problem;
        Chain.Append(at, "staff:s-1", e);
        if (State.LastEffect is { } effect) Recorder.Observe(entry, effect, State);
        Entries.Add((entry, e));
        return null;
    }

    public void Ok(Instant at, LogEvent e) => Try(at, e).Should().BeNull($"{e.Type} should be accepted");

    public AllocationDecided Round(string id, LocalDate date, LocalDate startDate, Instant? at = null)
    {
        var outcome = Rounds.Decide(State, id, date, startDate).GetValueOrThrow();
        // As the service writes it: in parts when it is too large for one entry (SPEC.md §8.5).
        foreach (var part in DecisionParts.Split(outcome.Decision).GetValueOrThrow()) Ok(at ?? On(date, 60), part);
        return outcome.Decision;
    }

    public Dashboard Build(LocalDate asOf) => Recorder.Build(State, asOf);

    /// <summary>The figures before suppression (internal to Core; tests compare the published ones with them).</summary>
    public Dashboard Truth(LocalDate asOf) => DashboardBuilder.BuildTrue(Recorder, State, asOf);

    /// <summary>A fresh state and recorder fed the same entries: what a validator replaying the log gets.</summary>
    public (QueueState State, DashboardRecorder Recorder) Replay()
    {
        var state = new QueueState();
        var recorder = new DashboardRecorder();
        foreach (var (entry, e) in Entries)
        {
            var decoded = EventCodec.Decode(entry.Type, entry.Payload.ToArray()).GetValueOrThrow();
            state.Apply(entry, decoded).Should().BeNull();
            if (state.LastEffect is { } effect) recorder.Observe(entry, effect, state);
        }
        return (state, recorder);
    }
}
