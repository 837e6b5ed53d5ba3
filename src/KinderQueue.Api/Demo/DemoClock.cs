using NodaTime;

namespace KinderQueue.Api.Demo;

/// <summary>
/// The clock of the demo's own <see cref="Storage.Appending.LiveLog"/>: the simulated time of the
/// year the demo replays. The LiveLog stamps each entry with its clock, so the demo's entries carry
/// the times of the simulated history without any change to how entries are appended. It only moves
/// forward and never past the real clock, so the log stays monotonic and no entry claims the future;
/// everything else in the service (checkpoints, the dashboard's "today") keeps the real clock.
/// </summary>
internal sealed class DemoClock(IClock real, Instant start) : IClock
{
    private long _ticks = start.ToUnixTimeTicks();

    public Instant GetCurrentInstant() => Instant.FromUnixTimeTicks(Volatile.Read(ref _ticks));

    public void AdvanceTo(Instant at)
    {
        var now = GetCurrentInstant();
        if (at < now) throw new InvalidOperationException($"The demo's time cannot go back from {now} to {at}.");
        if (at > real.GetCurrentInstant()) throw new InvalidOperationException($"The demo's time {at} would be after the real time.");
        Volatile.Write(ref _ticks, at.ToUnixTimeTicks());
    }
}
