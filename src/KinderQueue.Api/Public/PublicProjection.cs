using KinderQueue.Api.Hosting;
using KinderQueue.Core.Events;
using KinderQueue.Core.Public;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;
using NodaTime;

namespace KinderQueue.Api.Public;

/// <summary>
/// Where public reads come from: this instance's own fold of the log (state, queue index,
/// statistics), kept apart from the writer's state like a read replica. It follows the log that the
/// <see cref="LiveLog"/> has committed, reading the new entries from the store; parents' lookups
/// read it under a shared lock that only its catch-up takes exclusively, and never wait for a
/// database commit. Slower figures (the dashboard, the projection "if allocation ran today") are
/// rebuilt into an immutable <see cref="PublicSnapshot"/> at most once per
/// <see cref="KinderQueueOptions.PublicSnapshotIntervalMs"/> after the log grew.
/// </summary>
public sealed class PublicProjection(LiveLog log, ILogStore store, IClock clock, KinderQueueOptions options, StartupProgress progress,
    ILogger<PublicProjection> logger)
    : BackgroundService
{
    private const int ChunkSize = 4096;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly SemaphoreSlim _catchUp = new(1, 1);
    private readonly PublicModel _model = new();
    private readonly PublicationSignal _snapshotPublished = new();
    private PublicSnapshot? _snapshot;
    private long? _snapshotBuiltAt;
    private long _snapshotGap;
    private bool _announced;
    // Whether the last catch-up succeeded: readiness needs a projection that follows the log.
    private volatile bool _following;
    // Entries folded, readable without the lock: /readyz must answer while a chunk is being folded.
    private long _folded;

    /// <summary>The latest snapshot; null until the first one is built.</summary>
    public PublicSnapshot? Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>The first snapshot of at least <paramref name="size"/> entries, as soon as one is built.</summary>
    public Task<PublicSnapshot> SnapshotCoveringAsync(long size, CancellationToken ct) =>
        _snapshotPublished.WaitForAsync(() => Snapshot, s => s.Size >= size, ct);

    /// <summary>
    /// The public side answers for every entry this instance acknowledged: it has caught up with the
    /// writer since the start (so every entry acknowledged before a restart is folded), its last
    /// catch-up succeeded, and the first snapshot (dashboard, projections) exists.
    /// </summary>
    public bool IsFollowing => _following && Snapshot is not null;

    /// <summary>Entries folded so far (without waiting for a fold in progress).</summary>
    public long Size => Volatile.Read(ref _folded);

    /// <summary>Reads the model consistently; many readers at once, never during a catch-up's fold.</summary>
    public T Read<T>(Func<PublicModel, T> read)
    {
        _lock.EnterReadLock();
        try
        {
            return read(_model);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Folds what the log committed since the last look; then moves the queues to today's date.</summary>
    public async Task CatchUpAsync(CancellationToken ct)
    {
        await _catchUp.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var target = await log.ReadAsync((_, view) => view.Size, ct).ConfigureAwait(false);
            var folded = _model.State.Size;
            while (folded < target)
            {
                var chunk = new List<(Core.Log.LogEntry Entry, LogEvent Event)>(ChunkSize);
                await foreach (var stored in store.ReadAsync(folded, Math.Min(target, folded + ChunkSize), ct).ConfigureAwait(false))
                {
                    var entry = stored.ToLogEntry();
                    var decoded = EventCodec.Decode(entry.Type, entry.Payload);
                    if (!decoded.Success) throw new LogCorruptException(entry.Seq, $"payload: {decoded.Problems[0]}");
                    chunk.Add((entry, decoded.Value!));
                }
                if (chunk.Count == 0) break;
                Write(m =>
                {
                    foreach (var (entry, e) in chunk)
                    {
                        if (m.Apply(entry, e) is { } problem) throw new LogCorruptException(entry.Seq, $"does not fold: {problem}");
                        Volatile.Write(ref _folded, m.State.Size);
                    }
                });
                folded += chunk.Count;
            }
            var today = Today();
            if (Read(m => m.NeedsAdvance(today))) Write(m => m.AdvanceTo(today));
            _following = folded >= target;
        }
        catch
        {
            _following = false;
            throw;
        }
        finally
        {
            _catchUp.Release();
        }
    }

    /// <summary>Rebuilds the snapshot now if the log grew since the last one (tests and the first start call it directly).</summary>
    public void RefreshSnapshot()
    {
        var started = Environment.TickCount64;
        var today = Today();
        var current = Snapshot;
        // Never between the parts of a decision (SPEC.md §8.5): the catch-up reads in chunks, and the log's size
        // (its target) always ends a transaction, so the model is whole again when it is done.
        var built = Read(m => m.State.PendingDecision is not null || (current is not null && current.Size == m.State.Size && current.AsOf == today)
            ? null : PublicSnapshot.Build(m, today));
        if (built is null) return;
        // Before the snapshot that makes /readyz say ready: a probe never sees ready without this figure.
        if (_following) progress.PublicProjectionCurrent();
        Volatile.Write(ref _snapshot, built);
        _snapshotPublished.Published();
        _snapshotBuiltAt = Environment.TickCount64;
        // A large region's snapshot takes seconds (the dashboard and the projection of a million
        // applications): rebuild at most a third of the time, so the fold and the lookups keep a core.
        _snapshotGap = Math.Max(options.PublicSnapshotIntervalMs, 3 * (_snapshotBuiltAt.Value - started));
    }

    /// <summary>Catches up and rebuilds the snapshot: what a test does to see its own writes.</summary>
    public async Task SyncAsync(CancellationToken ct)
    {
        await CatchUpAsync(ct).ConfigureAwait(false);
        RefreshSnapshot();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Poll);
        do
        {
            if (!log.IsCaughtUp) continue;
            try
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await CatchUpAsync(stoppingToken).ConfigureAwait(false);
                if (_snapshotBuiltAt is not { } built || Environment.TickCount64 - built >= _snapshotGap) RefreshSnapshot();
                if (!_announced && IsFollowing)
                {
                    progress.PublicProjectionCurrent();
                    // Lookups answer from here on; on a large log the first fold takes a while, so say when.
                    _announced = true;
                    logger.LogInformation("Public projection ready: {Entries} entries folded and the first snapshot built in {Seconds:F1} s",
                        Snapshot?.Size ?? 0, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
                }
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or LogUnavailableException)
            {
                // The database is away for now; public reads keep serving what was folded.
                logger.LogWarning(ex, "Public projection could not read the log; retrying");
            }
            catch (LogCorruptException ex)
            {
                logger.LogCritical(ex, "Public projection stopped: the log does not verify");
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A fault here must not stop the service (writes go on); public reads serve what they have.
                logger.LogError(ex, "Public projection failed to catch up; retrying");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private void Write(Action<PublicModel> write)
    {
        _lock.EnterWriteLock();
        try
        {
            write(_model);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private LocalDate Today() => Read(m => m.State.LocalDate(clock.GetCurrentInstant()));

    public override void Dispose()
    {
        base.Dispose();
        _lock.Dispose();
        _catchUp.Dispose();
    }
}
