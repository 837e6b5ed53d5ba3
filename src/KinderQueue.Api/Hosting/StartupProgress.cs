using System.Diagnostics;

namespace KinderQueue.Api.Hosting;

/// <summary>
/// How far this instance's start has got, for /readyz and the start gate. Kestrel listens at once
/// (the log is folded in the background, <see cref="LiveLogHost"/>), so a long start shows up here
/// phase by phase rather than as a silent port: migrating, folding the log, issuing the first
/// checkpoint, then serving while the public projection catches up. Times are milliseconds since
/// the service was built, each set once.
/// </summary>
public sealed class StartupProgress
{
    private readonly long _created = Stopwatch.GetTimestamp();
    private readonly TaskCompletionSource _serving = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string _phase = Phases.Migrating;
    private long _logFoldedMs = -1;
    private long _servingMs = -1;
    private long _projectionCurrentMs = -1;

    public static class Phases
    {
        public const string Migrating = "migrating";
        public const string FoldingLog = "folding-log";
        public const string IssuingCheckpoint = "issuing-checkpoint";
        public const string Serving = "serving";
        public const string Failed = "failed";
    }

    public string Phase => _phase;

    /// <summary>True once the log is folded and the first checkpoint issued: requests are served.</summary>
    public bool IsServing => _serving.Task.IsCompletedSuccessfully;

    /// <summary>Completes when requests may be served (the start gate waits on it, bounded).</summary>
    public Task Serving => _serving.Task;

    public long? LogFoldedAfterMs => Get(ref _logFoldedMs);

    public long? ServingAfterMs => Get(ref _servingMs);

    public long? PublicProjectionCurrentAfterMs => Get(ref _projectionCurrentMs);

    public void FoldingLog() => _phase = Phases.FoldingLog;

    public void LogFolded()
    {
        Set(ref _logFoldedMs);
        _phase = Phases.IssuingCheckpoint;
    }

    public void ServingRequests()
    {
        Set(ref _servingMs);
        _phase = Phases.Serving;
        _serving.TrySetResult();
    }

    public void PublicProjectionCurrent() => Set(ref _projectionCurrentMs);

    public void StartFailed() => _phase = Phases.Failed;

    private void Set(ref long field) =>
        Interlocked.CompareExchange(ref field, (long)Stopwatch.GetElapsedTime(_created).TotalMilliseconds, -1);

    private static long? Get(ref long field) => Volatile.Read(ref field) is var v and >= 0 ? v : null;
}
