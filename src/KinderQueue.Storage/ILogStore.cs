using NodaTime;

namespace KinderQueue.Storage;

/// <summary>
/// The log and the private vault of one region. Two implementations (PostgreSQL, SQLite) pass
/// the same contract tests. Writing happens only inside a <see cref="IWriteSession"/>, which
/// holds the region's single-writer lock, so sequence numbers and chain hashes are assigned in
/// order with no gaps and no forks even with several service instances on one database.
/// </summary>
public interface ILogStore : IAsyncDisposable
{
    /// <summary>"postgres" or "sqlite", for health output and telemetry.</summary>
    string Backend { get; }

    /// <summary>Applies the embedded migrations not yet applied. Safe to call from several instances at once.</summary>
    Task MigrateAsync(CancellationToken ct);

    /// <summary>Opens a transaction holding the writer lock.</summary>
    Task<IWriteSession> BeginWriteAsync(CancellationToken ct);

    /// <summary>
    /// What a group-commit batch does first: opens a write session and reads, under its lock, the
    /// entries from <paramref name="fromSeq"/> on and the stored responses for <paramref name="keys"/>.
    /// A store may do all of it in one round trip; every round trip is paid once per batch, under the lock.
    /// </summary>
    async Task<WriteStart> BeginWriteAsync(long fromSeq, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        var session = await BeginWriteAsync(ct).ConfigureAwait(false);
        try
        {
            var since = await session.ReadSinceAsync(fromSeq, ct).ConfigureAwait(false);
            return new WriteStart(session, since, await session.FindResponsesAsync(keys, ct).ConfigureAwait(false));
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Number of entries in the log.</summary>
    Task<long> CountAsync(CancellationToken ct);

    /// <summary>Entries with <paramref name="fromSeq"/> ≤ seq &lt; <paramref name="toSeqExclusive"/>, in order, streamed.</summary>
    IAsyncEnumerable<StoredEntry> ReadAsync(long fromSeq, long toSeqExclusive, CancellationToken ct);

    Task<PrivateRecord?> GetPrivateAsync(string number, CancellationToken ct);

    /// <summary>Erases the personal data of an application (its record and notes); the log, and its commitment, stay as they are.</summary>
    Task<bool> ErasePrivateAsync(string number, Instant at, CancellationToken ct);

    /// <summary>The notes kept beside entries of one application, in log order.</summary>
    Task<IReadOnlyList<PrivateNote>> GetNotesAsync(string number, CancellationToken ct);

    /// <summary>The note kept beside one entry, if any.</summary>
    Task<PrivateNote?> GetNoteAsync(long seq, CancellationToken ct);

    /// <summary>Records that a person read personal data; kept for ever, published only as monthly counts.</summary>
    Task RecordPrivateReadAsync(PrivateRead read, CancellationToken ct);

    /// <summary>Reads of personal data per month (UTC) and purpose, oldest first.</summary>
    Task<IReadOnlyList<PrivateReadCount>> CountPrivateReadsAsync(CancellationToken ct);

    /// <summary>
    /// Deletes stored idempotent responses created before <paramref name="before"/>. A retry is a
    /// matter of minutes; keeping responses (which include a submission's access code) for ever is not.
    /// </summary>
    Task<int> PurgeResponsesAsync(Instant before, CancellationToken ct);

    /// <summary>True when the database answers a trivial query.</summary>
    Task<bool> PingAsync(CancellationToken ct);

    /// <summary>The last checkpoint issued by any instance (the one of largest size), or null before the first.</summary>
    Task<StoredCheckpoint?> GetLatestCheckpointAsync(CancellationToken ct);

    /// <summary>Stores a verified witness cosignature of a stored checkpoint; one already stored for that size and witness is kept.</summary>
    Task AddCosignatureAsync(StoredCosignature cosignature, CancellationToken ct);

    /// <summary>The cosignatures of the checkpoint of <paramref name="size"/>, ordered by witness.</summary>
    Task<IReadOnlyList<StoredCosignature>> GetCosignaturesAsync(long size, CancellationToken ct);

    /// <summary>The largest checkpoint size <paramref name="witness"/> cosigned, 0 when none: where its consistency proofs start.</summary>
    Task<long> LatestCosignedSizeAsync(string witness, CancellationToken ct);
}

/// <summary>One write transaction under the writer lock. Dispose without commit rolls back.</summary>
public interface IWriteSession : IAsyncDisposable
{
    /// <summary>Entries from <paramref name="fromSeq"/> on, committed by anyone (another instance, say).</summary>
    Task<IReadOnlyList<StoredEntry>> ReadSinceAsync(long fromSeq, CancellationToken ct);

    /// <summary>Stored responses for the keys that have one.</summary>
    Task<IReadOnlyDictionary<string, StoredResponse>> FindResponsesAsync(IReadOnlyCollection<string> keys, CancellationToken ct);

    Task AppendAsync(IReadOnlyList<StoredEntry> entries, IReadOnlyList<StoredResponse> responses,
        IReadOnlyList<PrivateRecord> records, Instant now, CancellationToken ct);

    /// <summary>Notes beside entries of this session (in its transaction; send before the commit).</summary>
    Task AppendNotesAsync(IReadOnlyList<PrivateNote> notes, CancellationToken ct);

    Task CommitAsync(CancellationToken ct);

    /// <summary>
    /// Federal portal rows of this session, in its transaction (send before the commit): the links of
    /// applications the portal sent, then the status updates owed to it (an update is kept only for an
    /// application with a link, which may be one of this session's). A store without the federal
    /// tables refuses rows rather than drop them.
    /// </summary>
    Task AppendFederalAsync(IReadOnlyList<Federal.FederalLink> links, IReadOnlyList<Federal.FederalOutboxEntry> updates, CancellationToken ct) =>
        links.Count == 0 && updates.Count == 0 ? Task.CompletedTask : throw new NotSupportedException("This store keeps no federal portal outbox.");

    /// <summary>The last checkpoint, read under the writer lock.</summary>
    Task<StoredCheckpoint?> LatestCheckpointAsync(CancellationToken ct);

    /// <summary>A new checkpoint, in this session's transaction; its size must exceed the last one's.</summary>
    Task AppendCheckpointAsync(StoredCheckpoint checkpoint, CancellationToken ct);

    /// <summary><see cref="AppendAsync"/> then <see cref="CommitAsync"/>; a store may send both in one round trip.</summary>
    async Task AppendAndCommitAsync(IReadOnlyList<StoredEntry> entries, IReadOnlyList<StoredResponse> responses,
        IReadOnlyList<PrivateRecord> records, Instant now, CancellationToken ct)
    {
        await AppendAsync(entries, responses, records, now, ct).ConfigureAwait(false);
        await CommitAsync(ct).ConfigureAwait(false);
    }
}

/// <summary>
/// A signed checkpoint as stored: the size and time it was issued with, its published JSON and the
/// same checkpoint as a C2SP signed note (null for one stored without).
/// </summary>
public sealed record StoredCheckpoint(long Size, Instant Time, byte[] Document, byte[]? Note = null);

/// <summary>A witness's cosignature of the checkpoint of <paramref name="Size"/>: the witness's verifier key, the signature line (no newline), its Unix time.</summary>
public sealed record StoredCosignature(long Size, string Witness, string Line, long Timestamp);

/// <summary>A write session just opened, with what was read under its lock.</summary>
public sealed record WriteStart(IWriteSession Session, IReadOnlyList<StoredEntry> Since, IReadOnlyDictionary<string, StoredResponse> Responses);
