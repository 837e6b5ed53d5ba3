using System.Runtime.CompilerServices;
using KinderQueue.Storage;
using NodaTime;

namespace KinderQueue.Api.Tests.Support;

/// <summary>
/// The store as the log's writer sees it, with its first read of the whole log (the start's fold)
/// held after <paramref name="afterEntries"/> entries until <paramref name="release"/> completes: a
/// test can then watch the start in the middle of the fold for as long as it needs, whatever the
/// machine's speed, instead of hoping the fold lasts long enough. Everything else goes to the store.
/// </summary>
internal sealed class FoldHoldStore(ILogStore inner, int afterEntries, Task release) : ILogStore
{
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _folds;

    /// <summary>Completes when the fold has read its first entries and waits for the release.</summary>
    public Task Held => _held.Task;

    public string Backend => inner.Backend;

    public Task MigrateAsync(CancellationToken ct) => inner.MigrateAsync(ct);

    public Task<IWriteSession> BeginWriteAsync(CancellationToken ct) => inner.BeginWriteAsync(ct);

    // The store's own one-round-trip version, not the interface's default.
    public Task<WriteStart> BeginWriteAsync(long fromSeq, IReadOnlyCollection<string> keys, CancellationToken ct) => inner.BeginWriteAsync(fromSeq, keys, ct);

    public Task<long> CountAsync(CancellationToken ct) => inner.CountAsync(ct);

    public async IAsyncEnumerable<StoredEntry> ReadAsync(long fromSeq, long toSeqExclusive, [EnumeratorCancellation] CancellationToken ct)
    {
        var fold = fromSeq == 0 && toSeqExclusive == long.MaxValue && Interlocked.Increment(ref _folds) == 1;
        var read = 0;
        await foreach (var e in inner.ReadAsync(fromSeq, toSeqExclusive, ct))
        {
            if (fold && read++ == afterEntries)
            {
                _held.TrySetResult();
                await release.WaitAsync(ct);
            }
            yield return e;
        }
    }

    public Task<PrivateRecord?> GetPrivateAsync(string number, CancellationToken ct) => inner.GetPrivateAsync(number, ct);

    public Task<bool> ErasePrivateAsync(string number, Instant at, CancellationToken ct) => inner.ErasePrivateAsync(number, at, ct);

    public Task<IReadOnlyList<PrivateNote>> GetNotesAsync(string number, CancellationToken ct) => inner.GetNotesAsync(number, ct);

    public Task<PrivateNote?> GetNoteAsync(long seq, CancellationToken ct) => inner.GetNoteAsync(seq, ct);

    public Task RecordPrivateReadAsync(PrivateRead read, CancellationToken ct) => inner.RecordPrivateReadAsync(read, ct);

    public Task<IReadOnlyList<PrivateReadCount>> CountPrivateReadsAsync(CancellationToken ct) => inner.CountPrivateReadsAsync(ct);

    public Task<int> PurgeResponsesAsync(Instant before, CancellationToken ct) => inner.PurgeResponsesAsync(before, ct);

    public Task<bool> PingAsync(CancellationToken ct) => inner.PingAsync(ct);

    public Task<StoredCheckpoint?> GetLatestCheckpointAsync(CancellationToken ct) => inner.GetLatestCheckpointAsync(ct);

    public Task AddCosignatureAsync(StoredCosignature cosignature, CancellationToken ct) => inner.AddCosignatureAsync(cosignature, ct);

    public Task<IReadOnlyList<StoredCosignature>> GetCosignaturesAsync(long size, CancellationToken ct) => inner.GetCosignaturesAsync(size, ct);

    public Task<long> LatestCosignedSizeAsync(string witness, CancellationToken ct) => inner.LatestCosignedSizeAsync(witness, ct);

    // The store is the container's, which disposes it.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
