using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using NodaTime;

namespace KinderQueue.Storage.Tests.TestSupport;

/// <summary>
/// Wraps a real store to count what the writer does and to inject failures: a commit that throws
/// before (or after) the real commit, entries that come back altered from the database.
/// </summary>
internal sealed class StoreDecorator(ILogStore inner) : ILogStore
{
    private int _commits;
    private int _failuresLeft;
    private Func<Exception>? _failure;
    private bool _failAfterCommitting;

    /// <summary>Entries in each AppendAsync call that was committed, in order.</summary>
    public ConcurrentQueue<int> CommittedBatchSizes { get; } = new();

    /// <summary>Commit calls, failed ones included.</summary>
    public int CommitCalls => Volatile.Read(ref _commits);

    /// <summary>Alters entries on their way out of ReadAsync (what a tampered database would return).</summary>
    public Func<StoredEntry, StoredEntry>? Tamper { get; set; }

    /// <summary>Runs instead of the next commits; lets a test hold a commit open.</summary>
    public Func<CancellationToken, Task>? BeforeCommit { get; set; }

    /// <summary>
    /// The next <paramref name="count"/> commits throw <paramref name="failure"/>: without committing, or,
    /// with <paramref name="afterCommitting"/>, after the real commit succeeded (the reply was lost).
    /// </summary>
    public void FailCommits(int count, Func<Exception> failure, bool afterCommitting = false)
    {
        _failure = failure;
        _failAfterCommitting = afterCommitting;
        Volatile.Write(ref _failuresLeft, count);
    }

    private int _readFailuresLeft;
    private int _failReadAfter;
    private int _fullReads;

    /// <summary>
    /// The next <paramref name="count"/> reads (ReadAsync) throw <paramref name="failure"/> after
    /// <paramref name="afterEntries"/> entries: the database going away in the middle of a long read.
    /// </summary>
    public void FailReads(int count, int afterEntries, Func<Exception> failure)
    {
        _failure = failure;
        _failReadAfter = afterEntries;
        Volatile.Write(ref _readFailuresLeft, count);
    }

    /// <summary>Reads that started at entry 0 (a rebuild of the whole state), failed ones included.</summary>
    public int ReadsFromStart => Volatile.Read(ref _fullReads);

    public string Backend => inner.Backend;

    public Task MigrateAsync(CancellationToken ct) => inner.MigrateAsync(ct);

    public async Task<IWriteSession> BeginWriteAsync(CancellationToken ct) => new Session(this, await inner.BeginWriteAsync(ct));

    public Task<long> CountAsync(CancellationToken ct) => inner.CountAsync(ct);

    public async IAsyncEnumerable<StoredEntry> ReadAsync(long fromSeq, long toSeqExclusive, [EnumeratorCancellation] CancellationToken ct)
    {
        if (fromSeq == 0) Interlocked.Increment(ref _fullReads);
        var fail = Interlocked.Decrement(ref _readFailuresLeft) >= 0;
        var read = 0;
        await foreach (var e in inner.ReadAsync(fromSeq, toSeqExclusive, ct))
        {
            if (fail && read++ == _failReadAfter) throw _failure!();
            yield return Tamper is null ? e : Tamper(e);
        }
    }

    public Task<PrivateRecord?> GetPrivateAsync(string number, CancellationToken ct) => inner.GetPrivateAsync(number, ct);

    public Task<bool> ErasePrivateAsync(string number, Instant at, CancellationToken ct) => inner.ErasePrivateAsync(number, at, ct);

    public Task<IReadOnlyList<PrivateNote>> GetNotesAsync(string number, CancellationToken ct) => inner.GetNotesAsync(number, ct);

    public Task<PrivateNote?> GetNoteAsync(long seq, CancellationToken ct) => inner.GetNoteAsync(seq, ct);

    public Task RecordPrivateReadAsync(PrivateRead read, CancellationToken ct) => inner.RecordPrivateReadAsync(read, ct);

    public Task<IReadOnlyList<PrivateReadCount>> CountPrivateReadsAsync(CancellationToken ct) => inner.CountPrivateReadsAsync(ct);

    public Task<bool> PingAsync(CancellationToken ct) => inner.PingAsync(ct);

    public Task<int> PurgeResponsesAsync(Instant before, CancellationToken ct) => inner.PurgeResponsesAsync(before, ct);

    public Task<StoredCheckpoint?> GetLatestCheckpointAsync(CancellationToken ct) => inner.GetLatestCheckpointAsync(ct);

    public Task AddCosignatureAsync(StoredCosignature cosignature, CancellationToken ct) => inner.AddCosignatureAsync(cosignature, ct);

    public Task<IReadOnlyList<StoredCosignature>> GetCosignaturesAsync(long size, CancellationToken ct) => inner.GetCosignaturesAsync(size, ct);

    public Task<long> LatestCosignedSizeAsync(string witness, CancellationToken ct) => inner.LatestCosignedSizeAsync(witness, ct);

    // The inner store belongs to the test's scope, which disposes it.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Session(StoreDecorator owner, IWriteSession inner) : IWriteSession
    {
        private int _appended;

        public async Task<IReadOnlyList<StoredEntry>> ReadSinceAsync(long fromSeq, CancellationToken ct)
        {
            var entries = await inner.ReadSinceAsync(fromSeq, ct);
            return owner.Tamper is null ? entries : [.. entries.Select(owner.Tamper)];
        }

        public Task<IReadOnlyDictionary<string, StoredResponse>> FindResponsesAsync(IReadOnlyCollection<string> keys, CancellationToken ct) =>
            inner.FindResponsesAsync(keys, ct);

        public Task AppendNotesAsync(IReadOnlyList<PrivateNote> notes, CancellationToken ct) => inner.AppendNotesAsync(notes, ct);

        public Task AppendFederalAsync(IReadOnlyList<KinderQueue.Storage.Federal.FederalLink> links, IReadOnlyList<KinderQueue.Storage.Federal.FederalOutboxEntry> updates, CancellationToken ct) =>
            inner.AppendFederalAsync(links, updates, ct);

        public Task<StoredCheckpoint?> LatestCheckpointAsync(CancellationToken ct) => inner.LatestCheckpointAsync(ct);

        public Task AppendCheckpointAsync(StoredCheckpoint checkpoint, CancellationToken ct) => inner.AppendCheckpointAsync(checkpoint, ct);

        public Task AppendAsync(IReadOnlyList<StoredEntry> entries, IReadOnlyList<StoredResponse> responses,
            IReadOnlyList<PrivateRecord> records, Instant now, CancellationToken ct)
        {
            _appended += entries.Count;
            return inner.AppendAsync(entries, responses, records, now, ct);
        }

        public async Task CommitAsync(CancellationToken ct)
        {
            Interlocked.Increment(ref owner._commits);
            if (owner.BeforeCommit is { } hook) await hook(ct);
            var fail = Interlocked.Decrement(ref owner._failuresLeft) >= 0;
            if (fail && !owner._failAfterCommitting) throw owner._failure!();
            await inner.CommitAsync(ct);
            if (fail) throw owner._failure!();
            owner.CommittedBatchSizes.Enqueue(_appended);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
