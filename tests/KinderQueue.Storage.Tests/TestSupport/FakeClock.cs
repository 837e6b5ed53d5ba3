using NodaTime;

namespace KinderQueue.Storage.Tests.TestSupport;

/// <summary>A clock the test sets and moves; thread-safe because the writer loop reads it on its own thread.</summary>
internal sealed class FakeClock(Instant start) : IClock
{
    private readonly Lock _lock = new();
    private Instant _now = start;

    public Instant GetCurrentInstant()
    {
        lock (_lock) return _now;
    }

    public void Advance(Duration by)
    {
        lock (_lock) _now += by;
    }

    public void Set(Instant to)
    {
        lock (_lock) _now = to;
    }
}
