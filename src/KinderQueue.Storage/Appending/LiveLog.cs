using System.Diagnostics;
using System.Threading.Channels;
using KinderQueue.Core;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Federal;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using NodaTime;
using KinderQueue.Storage.Federal;
using Polly;

namespace KinderQueue.Storage.Appending;

/// <summary>
/// One service instance's view of the region's log: the state folded from every entry, and the
/// only way to append. Commands queue up; one writer loop takes all that are waiting, decides
/// them in order against the state, appends the accepted ones in one transaction under the
/// database's writer lock (group commit), and answers each caller only after the commit and
/// after the state includes what it appended (read-your-writes). A tail loop folds entries that
/// other instances appended, so every instance converges on the same state.
/// </summary>
public sealed class LiveLog : IAsyncDisposable
{
    private readonly ILogStore _store;
    private readonly IClock _clock;
    private readonly int _maxBatch;
    private readonly TimeSpan _tailInterval;
    private readonly ResiliencePipeline _retry;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    // Held while the state changes (a batch, a catch-up) and while anyone reads it.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private QueueState _state = new();
    private LogChain _chain = new();
    private MerkleStore _merkle = new();
    // What proof readers see, without the gate: the last complete tree. A reload rebuilds _merkle
    // from 0 and publishes it only when it is complete, so readers never see the log shrink.
    private IMerkleTreeReader _tree;
    private Instant _lastAt = Instant.MinValue;
    private readonly Duration _responseRetention;
    private Task? _writer;
    private int _disposed;
    private Task? _tail;
    // The state, chain and tree ran ahead of a transaction that did not commit and could not be
    // rebuilt yet (the database went away during the rebuild): nothing may be read or decided
    // from them until a rebuild from the database succeeds.
    private volatile bool _stale;
    private bool _caughtUp;
    // Completed when the first fold is done (or failed): the host starts that fold in the background
    // so that its probes answer during a long start, and nothing may read the empty state before it.
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // After the database said its storage is full, new batches are refused at once until then, so
    // that a full disk costs one rebuild per back-off rather than one per batch.
    private long _storageFullUntil;
    private readonly TimeSpan _storageFullBackoff;

    public LiveLog(ILogStore store, IClock clock, int maxBatch = 1024, TimeSpan? tailInterval = null, ResiliencePipeline? retry = null,
        Duration? responseRetention = null, TimeSpan? storageFullBackoff = null)
    {
        _storageFullBackoff = storageFullBackoff ?? TimeSpan.FromSeconds(5);
        _store = store;
        _clock = clock;
        _maxBatch = maxBatch;
        _tailInterval = tailInterval ?? TimeSpan.FromMilliseconds(200);
        _retry = retry ?? TransientFailures.AppendPipeline();
        _responseRetention = responseRetention ?? Duration.FromHours(24);
        _tree = _merkle;
    }

    /// <summary>How often the tail loop deletes idempotent responses older than the retention.</summary>
    public static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// True once the log has been folded at start; stays true while the tail keeps up and the
    /// folded state matches what the database committed (false while it must be rebuilt).
    /// </summary>
    public bool IsCaughtUp => _caughtUp && !_stale;

    /// <summary>True while the database's storage is full: writes are refused (with <see cref="StorageFullException"/>).</summary>
    public bool IsStorageFull => Stopwatch.GetTimestamp() < Volatile.Read(ref _storageFullUntil);

    public ILogStore Store => _store;

    /// <summary>
    /// The Merkle tree of every entry this instance has folded, for roots and proofs of any size up
    /// to its <see cref="IMerkleTreeReader.Count"/>. Safe to use without the gate, concurrently with appends.
    /// </summary>
    public IMerkleTreeReader Tree => Volatile.Read(ref _tree);

    /// <summary>Folds the whole stored log, then starts the writer and the tail.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await ReloadAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _started.TrySetException(ex);
            throw;
        }
        finally
        {
            _gate.Release();
        }
        _caughtUp = true;
        _writer = Task.Run(WriterLoopAsync, CancellationToken.None);
        _tail = Task.Run(TailLoopAsync, CancellationToken.None);
        _started.TrySetResult();
    }

    /// <summary>True once <see cref="StartAsync"/> has folded the stored log.</summary>
    public bool IsStarted => _started.Task.IsCompletedSuccessfully;

    /// <summary>Waits until <see cref="StartAsync"/> has folded the stored log (throws what it threw).</summary>
    public Task WhenStartedAsync(CancellationToken ct = default) => _started.Task.IsCompletedSuccessfully ? Task.CompletedTask : _started.Task.WaitAsync(ct);

    /// <summary>Queues a command and waits for its durable result.</summary>
    public Task<CommandResult> ExecuteAsync(ICommand command, CancellationToken ct = default)
    {
        var pending = new Pending(command, Stopwatch.GetTimestamp());
        if (!_queue.Writer.TryWrite(pending)) throw new InvalidOperationException("The log is shut down.");
        return pending.Completion.Task.WaitAsync(ct);
    }

    /// <summary>
    /// Reads the state consistently (no batch is half applied while <paramref name="read"/> runs).
    /// Throws <see cref="LogUnavailableException"/> while the state must be rebuilt and the database
    /// does not answer: a state that ran ahead of the database is never read.
    /// </summary>
    public async Task<T> ReadAsync<T>(Func<QueueState, LogView, T> read, CancellationToken ct = default)
    {
        await WhenStartedAsync(ct).ConfigureAwait(false);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await EnsureCurrentAsync(ct).ConfigureAwait(false);
            return read(_state, new LogView(_chain.Size, _chain.Head.ToArray(), _merkle.Root()));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The one checkpoint authority of a region (SPEC.md §11.2): under the database's writer lock,
    /// catches up with what others appended, and if the log grew beyond the last stored checkpoint
    /// (or there is none), signs one of the whole log with <paramref name="sign"/> at
    /// <paramref name="now"/>, or at the last checkpoint's time if the clock is behind it, and stores
    /// it. Whichever instance comes first issues; every replica serves the stored sequence, whose
    /// size grows and whose time never decreases. Returns the latest stored checkpoint.
    /// </summary>
    public async Task<StoredCheckpoint?> IssueCheckpointAsync(Func<LogView, Instant, (byte[] Document, byte[]? Note)> sign, Instant now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sign);
        if (IsStorageFull) return await _store.GetLatestCheckpointAsync(ct).ConfigureAwait(false);
        await WhenStartedAsync(ct).ConfigureAwait(false);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await EnsureCurrentAsync(ct).ConfigureAwait(false);
            var start = await _store.BeginWriteAsync(_chain.Size, [], ct).ConfigureAwait(false);
            await using var session = start.Session;
            foreach (var e in start.Since) ApplyStored(e);
            var latest = await session.LatestCheckpointAsync(ct).ConfigureAwait(false);
            if (latest is not null && latest.Size >= _chain.Size) return latest;
            var time = latest is not null && now < latest.Time ? latest.Time : now;
            var (document, note) = sign(new LogView(_chain.Size, _chain.Head.ToArray(), _merkle.Root()), time);
            var issued = new StoredCheckpoint(_chain.Size, time, document, note);
            await session.AppendCheckpointAsync(issued, ct).ConfigureAwait(false);
            await session.CommitAsync(ct).ConfigureAwait(false);
            return issued;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The public tree, with at least <paramref name="size"/> leaves if the database holds them. The
    /// checkpoints are shared by every replica, so the latest one (or one a client got from another
    /// replica) can cover entries this instance has not folded yet: a proof in its tree catches up
    /// first instead of failing or waiting for the next look at the tail. The caller checks the count:
    /// a size the database does not have stays beyond it.
    /// </summary>
    public async Task<IMerkleTreeReader> TreeCoveringAsync(long size, CancellationToken ct)
    {
        var tree = Tree;
        if (tree.Count >= size) return tree;
        await CatchUpAsync(ct).ConfigureAwait(false);
        return Tree;
    }

    /// <summary>Folds entries that another instance appended since the last look.</summary>
    public async Task CatchUpAsync(CancellationToken ct)
    {
        var count = await _store.CountAsync(ct).ConfigureAwait(false);
        if (count <= _chain.Size && !_stale) return;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await EnsureCurrentAsync(ct).ConfigureAwait(false);
            await foreach (var e in _store.ReadAsync(_chain.Size, long.MaxValue, ct).ConfigureAwait(false)) ApplyStored(e);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Rebuilds the state, chain and tree from the whole stored log. Until it completes the
    /// instance is stale: if the database fails midway, the next read, batch or catch-up tries
    /// again, and readers of <see cref="Tree"/> keep the last complete tree meanwhile (a failed
    /// rebuild left in place froze the public log while the writer went on).
    /// </summary>
    private async Task ReloadAsync(CancellationToken ct)
    {
        _stale = true;
        _state = new QueueState();
        _chain = new LogChain();
        _merkle = new MerkleStore();
        _lastAt = Instant.MinValue;
        await foreach (var e in _store.ReadAsync(0, long.MaxValue, ct).ConfigureAwait(false)) ApplyStored(e);
        Volatile.Write(ref _tree, _merkle);
        _stale = false;
        LogTelemetry.Rebuilds.Add(1);
    }

    /// <summary>Under the gate: rebuilds a stale state, or says why it cannot be read.</summary>
    private async Task EnsureCurrentAsync(CancellationToken ct)
    {
        if (!_stale) return;
        try
        {
            await ReloadAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not LogCorruptException and not OperationCanceledException)
        {
            throw new LogUnavailableException(ex);
        }
    }

    /// <summary>
    /// Applies an entry read from the database. Anything that does not link, hash or fold is
    /// corruption or tampering, and the instance refuses to serve from it.
    /// </summary>
    private void ApplyStored(StoredEntry stored)
    {
        var entry = stored.ToLogEntry();
        if (entry.Seq != _chain.Size || !entry.Prev.Span.SequenceEqual(_chain.Head))
            throw new LogCorruptException(entry.Seq, "does not link to the previous entry");
        var decoded = EventCodec.Decode(entry.Type, entry.Payload);
        if (!decoded.Success) throw new LogCorruptException(entry.Seq, $"payload: {decoded.Problems[0]}");
        var problem = _state.Apply(entry, decoded.Value!);
        if (problem is not null) throw new LogCorruptException(entry.Seq, $"does not fold: {problem}");
        var (_, _, hash) = _chain.Append(entry.At, entry.Actor, entry.Type, entry.Payload.ToArray());
        if (!hash.AsSpan().SequenceEqual(stored.Hash)) throw new LogCorruptException(entry.Seq, "stored hash differs from the entry's hash");
        _merkle.Append(hash);
        if (entry.At > _lastAt) _lastAt = entry.At;
    }

    private async Task WriterLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>(_maxBatch);
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < _maxBatch && reader.TryRead(out var p)) batch.Add(p);
                try
                {
                    var results = await _retry.ExecuteAsync(async ct => await ProcessBatchAsync(batch, ct).ConfigureAwait(false), _stop.Token).ConfigureAwait(false);
                    var now = Stopwatch.GetTimestamp();
                    for (var i = 0; i < batch.Count; i++)
                    {
                        LogTelemetry.AppendLatency.Record(Stopwatch.GetElapsedTime(batch[i].Enqueued, now).TotalMilliseconds);
                        batch[i].Completion.TrySetResult(results[i]);
                    }
                    LogTelemetry.BatchSize.Record(batch.Count);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
                {
                    // Nothing of the batch was committed; callers see an outage, never a half-written batch.
                    foreach (var p in batch) p.Completion.TrySetException(ex);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        // Shutdown cancelled the batch in flight: its callers must not wait forever (completed ones ignore this).
        foreach (var p in batch) p.Completion.TrySetCanceled();
        while (reader.TryRead(out var left)) left.Completion.TrySetCanceled();
    }

    private async Task<CommandResult[]> ProcessBatchAsync(List<Pending> batch, CancellationToken ct)
    {
        using var activity = LogTelemetry.Source.StartActivity("log.append");
        activity?.SetTag("kq.batch_size", batch.Count);
        if (IsStorageFull)
        {
            // Nothing is decided, so nothing runs ahead of the database and nothing is rebuilt.
            LogTelemetry.StorageFull.Add(1);
            throw new StorageFullException(null);
        }
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        var changed = false;
        try
        {
            await EnsureCurrentAsync(ct).ConfigureAwait(false);
            // Rows are found by a hash of the scoped key and hold the response sealed under it (SealedResponses).
            // Each key's row key (a SHA-256) is computed once per batch and reused below.
            var rowKeys = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in batch)
            {
                if (p.Command.IdempotencyKey is { } k && !rowKeys.ContainsKey(k)) rowKeys[k] = SealedResponses.RowKey(k);
            }
            var keys = rowKeys.Values;
            var start = await _store.BeginWriteAsync(_chain.Size, keys, ct).ConfigureAwait(false);
            await using var session = start.Session;
            foreach (var e in start.Since) ApplyStored(e);
            var stored = start.Responses;
            var firstInBatch = new Dictionary<string, int>(StringComparer.Ordinal);
            var results = new CommandResult[batch.Count];
            var entries = new List<StoredEntry>();
            var responses = new List<StoredResponse>();
            var records = new List<PrivateRecord>();
            var notes = new List<PrivateNote>();
            var links = new List<FederalLink>();
            var owed = new List<FederalOutboxEntry>();
            var now = Formats.TruncateToMillisecond(_clock.GetCurrentInstant());
            // Entries never go back in time, even if this instance's clock is behind another's.
            if (now < _lastAt) now = _lastAt;

            for (var i = 0; i < batch.Count; i++)
            {
                var command = batch[i].Command;
                var key = command.IdempotencyKey;
                if (key is not null)
                {
                    if (stored.TryGetValue(rowKeys[key], out var earlier))
                    {
                        results[i] = SealedResponses.Open(key, earlier.Response) is { } opened
                            ? CommandResult.Replay(earlier with { Response = opened })
                            : CommandResult.Refused(Refusal.Conflict, [new ValidationProblem("$header.Idempotency-Key", "idempotency.unreadable",
                                "The first response to this key cannot be read back; send the request with a new key.")]);
                        continue;
                    }
                    if (firstInBatch.TryGetValue(key, out var first))
                    {
                        results[i] = results[first].Accepted ? results[first] with { Replayed = true } : results[first];
                        continue;
                    }
                    firstInBatch[key] = i;
                }
                var decision = command.Decide(_state, now);
                if (decision.Event is null)
                {
                    LogTelemetry.Refusals.Add(1);
                    results[i] = CommandResult.Refused(decision.Refusal, decision.Problems);
                    continue;
                }
                // An event too large for one entry of the tiled log is written as several (SPEC.md §8.5), all in this transaction.
                var events = EntrySplit.ForEntries(decision.Event);
                LogEntry? appended = null;
                ValidationProblem? problem = null;
                foreach (var part in events)
                {
                    var payload = EventCodec.Encode(part);
                    var entry = new LogEntry(_chain.Size, now, command.Actor, part.Type, payload, _chain.Head.ToArray());
                    // The fold is the final judge: a command's own checks and the fold's rules cannot disagree silently.
                    if (_state.Apply(entry, part) is { } refused)
                    {
                        // A refused first entry refuses the command. A later one is a fault (the first was accepted and the
                        // command checked the whole): the batch fails and the state is rebuilt from the database (below),
                        // rather than half a decision kept.
                        if (appended is not null) throw new InvalidOperationException($"The fold refuses part of the engine's own {part.Type}: {refused}");
                        problem = refused;
                        break;
                    }
                    changed = true;
                    var (written, _, hash) = _chain.Append(now, command.Actor, part.Type, payload);
                    entries.Add(StoredEntry.From(written, hash));
                    appended ??= written;
                }
                if (appended is null)
                {
                    LogTelemetry.Refusals.Add(1);
                    results[i] = CommandResult.Refused(problem!.Code.EndsWith("unknown", StringComparison.Ordinal) ? Refusal.NotFound : Refusal.Conflict, [problem]);
                    continue;
                }
                if (decision.Record is not null) records.Add(decision.Record);
                if (decision.Note is { } note) notes.Add(new PrivateNote(appended.Seq, note.Number, note.Text));
                if (decision.Federal is { } link) links.Add(link);
                // The transactional outbox (issue 14): what the federal portal must hear goes in with the entry, or not at all.
                foreach (var u in PortalStatus.UpdatesFor(decision.Event, _state))
                {
                    owed.Add(new FederalOutboxEntry(FederalOutboxEntry.KeyOf(appended.Seq, u.Number), appended.Seq, now, u.Number, u.Status,
                        u.Kindergarten, u.Group, u.Deadline is { } d ? Formats.Format(d) : null));
                }
                var response = decision.Response!(appended.Seq);
                // Kept in the private record the command created, if it created one (issue 16: one row fewer).
                if (key is not null) responses.Add(new StoredResponse(rowKeys[key], appended.Seq, SealedResponses.Seal(key, response), decision.Record?.Number));
                results[i] = CommandResult.Appended(appended.Seq, response);
            }

            if (entries.Count > 0 || responses.Count > 0)
            {
                if (notes.Count > 0) await session.AppendNotesAsync(notes, ct).ConfigureAwait(false);
                if (links.Count > 0 || owed.Count > 0) await session.AppendFederalAsync(links, owed, ct).ConfigureAwait(false);
                await session.AppendAndCommitAsync(entries, responses, records, now, ct).ConfigureAwait(false);
                foreach (var e in entries) _merkle.Append(e.Hash);
                _lastAt = now;
                LogTelemetry.Appends.Add(entries.Count);
            }
            changed = false;
            return results;
        }
        catch (Exception ex)
        {
            var full = TransientFailures.IsStorageFull(ex);
            if (full)
            {
                LogTelemetry.StorageFull.Add(1);
                Volatile.Write(ref _storageFullUntil, Stopwatch.GetTimestamp() + (long)(_storageFullBackoff.TotalSeconds * Stopwatch.Frequency));
            }
            // The state ran ahead of a transaction that did not commit: rebuild it from the database,
            // now if it answers, else on the next read, batch or catch-up (stale until then).
            if (changed)
            {
                try
                {
                    await ReloadAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception reload) when (reload is not LogCorruptException)
                {
                    // Stale: the original failure is what the caller must hear about.
                }
            }
            if (full) throw new StorageFullException(ex);
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task TailLoopAsync()
    {
        using var timer = new PeriodicTimer(_tailInterval);
        var lastPurge = Stopwatch.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await CatchUpAsync(_stop.Token).ConfigureAwait(false);
                    _caughtUp = true;
                    if (Stopwatch.GetElapsedTime(lastPurge) >= PurgeInterval)
                    {
                        // Stored responses include access codes: keep them only as long as a retry is plausible.
                        await _store.PurgeResponsesAsync(_clock.GetCurrentInstant() - _responseRetention, _stop.Token).ConfigureAwait(false);
                        lastPurge = Stopwatch.GetTimestamp();
                    }
                }
                catch (Exception ex) when (TransientFailures.IsTransient(ex) || ex is System.Data.Common.DbException or LogUnavailableException)
                {
                    // The database is unreachable for now: not ready until the next successful look.
                    _caughtUp = false;
                }
                catch (LogCorruptException)
                {
                    // The log does not verify: this instance must not serve (or report ready) from it again.
                    _caughtUp = false;
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Hosts may dispose twice (a hosted service and the container); the second call does nothing.
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_writer is not null) await _writer.ConfigureAwait(false);
        if (_tail is not null) await _tail.ConfigureAwait(false);
        _stop.Dispose();
        _gate.Dispose();
    }

    private sealed record Pending(ICommand Command, long Enqueued)
    {
        public TaskCompletionSource<CommandResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The log's size, chain head and Merkle root at the moment of a read.</summary>
public sealed record LogView(long Size, byte[] Head, byte[] Root);

/// <summary>
/// The folded state ran ahead of a write that did not commit and the database did not answer the
/// rebuild: nothing can be read from this instance until it does (a 503 that says so).
/// </summary>
public sealed class LogUnavailableException(Exception cause)
    : Exception("The log's state is being rebuilt from the database after a write that did not commit, and the database does not answer yet.", cause);

/// <summary>The database's storage is full: nothing of the write was stored, and none will be until space is freed.</summary>
public sealed class StorageFullException(Exception? cause)
    : Exception("The database's storage is full: nothing was stored.", cause);

/// <summary>The stored log does not link, hash or fold: corruption or tampering. The instance must not serve.</summary>
public sealed class LogCorruptException(long seq, string problem) : Exception($"Log entry {seq} {problem}.")
{
    public long Seq { get; } = seq;
}
