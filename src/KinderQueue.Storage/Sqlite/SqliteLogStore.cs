using System.Data;
using System.Runtime.CompilerServices;
using Dapper;
using KinderQueue.Storage.Migrations;
using Microsoft.Data.Sqlite;
using NodaTime;

namespace KinderQueue.Storage.Sqlite;

/// <summary>
/// The embedded default: one SQLite file in WAL mode with full fsync. <c>BEGIN IMMEDIATE</c> is
/// the writer lock. SQL of this backend lives in this file and in Migrations/Sqlite.
/// </summary>
public sealed class SqliteLogStore : ILogStore, Federal.IFederalStore, Signals.ISignalExplanationStore
{
    // Sequence numbers run from 0 without gaps, so the size is the last seq + 1: one index probe,
    // where COUNT(*) scans the whole log (the tail loop asks every 200 ms, for ever).
    private const string CountSql = "SELECT COALESCE(MAX(seq) + 1, 0) FROM log_entries";
    private const string ReadRangeSql =
        "SELECT seq, at_ms, actor, type, payload, prev, hash FROM log_entries WHERE seq >= @From AND seq < @To ORDER BY seq";
    private const string InsertEntrySql =
        "INSERT INTO log_entries (seq, at_ms, actor, type, payload, prev, hash) VALUES (@Seq, @AtMs, @Actor, @Type, @Payload, @Prev, @Hash)";
    // Responses expire from both places they are kept: their own rows, and the private records that
    // hold the response of the submission that created them (the record itself stays).
    private const string PurgeResponsesSql = "DELETE FROM idempotency WHERE created_ms < @Before";
    private const string PurgeRecordResponsesSql =
        "UPDATE private_records SET response_key = NULL, response_seq = NULL, response = NULL, response_ms = NULL WHERE response_key IS NOT NULL AND response_ms < @Before";
    private const string FindResponsesSql =
        "SELECT key, seq, response FROM idempotency WHERE key IN @Keys " +
        "UNION ALL SELECT response_key, response_seq, response FROM private_records WHERE response_key IN @Keys";
    private const string InsertResponseSql =
        "INSERT INTO idempotency (key, seq, response, created_ms) VALUES (@Key, @Seq, @Response, @CreatedMs)";
    // A record carries the sealed response of the command that created it (NULLs when it came without a key).
    private const string InsertPrivateSql =
        "INSERT INTO private_records (number, salt, record, access_hash, owner, erased_ms, response_key, response_seq, response, response_ms) " +
        "VALUES (@Number, @Salt, @Record, @AccessHash, @Owner, NULL, @ResponseKey, @ResponseSeq, @Response, @ResponseMs)";
    private const string GetPrivateSql =
        "SELECT number, salt, record, access_hash AS AccessHash, owner, erased_ms AS ErasedMs FROM private_records WHERE number = @Number";
    private const string ErasePrivateSql =
        "UPDATE private_records SET record = NULL, erased_ms = @At WHERE number = @Number AND record IS NOT NULL";
    private const string LatestCheckpointSql = "SELECT size AS Size, time_ms AS TimeMs, document AS Document, note AS Note FROM checkpoints ORDER BY size DESC LIMIT 1";
    private const string InsertCheckpointSql = "INSERT INTO checkpoints (size, time_ms, document, note) VALUES (@Size, @TimeMs, @Document, @Note)";
    private const string InsertCosignatureSql = "INSERT INTO checkpoint_cosignatures (size, witness, line, cosigned_at) VALUES (@Size, @Witness, @Line, @Timestamp) ON CONFLICT DO NOTHING";
    private const string CosignaturesSql = "SELECT size AS Size, witness AS Witness, line AS Line, cosigned_at AS Timestamp FROM checkpoint_cosignatures WHERE size = @Size ORDER BY witness";
    private const string LatestCosignedSql = "SELECT COALESCE(MAX(size), 0) FROM checkpoint_cosignatures WHERE witness = @Witness";
    private const string InsertNoteSql = "INSERT INTO private_notes (seq, number, text) VALUES (@Seq, @Number, @Text)";
    private const string GetNotesSql = "SELECT seq, number, text FROM private_notes WHERE number = @Number ORDER BY seq";
    private const string GetNoteSql = "SELECT seq, number, text FROM private_notes WHERE seq = @Seq";
    private const string EraseNotesSql = "DELETE FROM private_notes WHERE number = @Number";
    private const string InsertReadSql = "INSERT INTO private_reads (at_ms, number, actor, purpose) VALUES (@AtMs, @Number, @Actor, @Purpose)";
    private const string CountReadsSql =
        "SELECT strftime('%Y-%m', at_ms / 1000, 'unixepoch') AS Month, purpose AS Purpose, COUNT(*) AS Count FROM private_reads GROUP BY 1, 2 ORDER BY 1, 2";
    // First column of the result: 1 if a reader kept the checkpoint from finishing.
    private const string WalTruncateSql = "PRAGMA wal_checkpoint(TRUNCATE)";
    // Federal portal (issue 14): links are private, the outbox holds the portal id and public details only.
    private const string InsertFederalLinkSql =
        "INSERT INTO federal_links (portal_id, number, content_hash) VALUES (@PortalId, @Number, @ContentHash)";
    private const string GetFederalLinkSql =
        "SELECT portal_id AS PortalId, number AS Number, content_hash AS ContentHash FROM federal_links WHERE portal_id = @PortalId";
    // An update is owed only for an application the portal sent, whose link the same transaction may just have written.
    private const string InsertFederalUpdateSql =
        "INSERT INTO federal_outbox (key, seq, at_ms, portal_id, status, kindergarten, grp, deadline) " +
        "SELECT @Key, @Seq, @AtMs, portal_id, @Status, @Kindergarten, @Group, @Deadline FROM federal_links WHERE number = @Number";
    private const string OwedFederalSql =
        "SELECT key AS Key, seq AS Seq, at_ms AS AtMs, portal_id AS PortalId, status AS Status, kindergarten AS Kindergarten, grp AS Grp, " +
        "deadline AS Deadline, attempts AS Attempts FROM federal_outbox WHERE done_ms IS NULL ORDER BY seq, key LIMIT @Limit";
    private const string CountFederalAttemptSql = "UPDATE federal_outbox SET attempts = attempts + 1 WHERE key = @Key";
    // Erasure (issue 14): the portal id links the region's number to the parent's portal account, so the
    // link goes with the private record, and so do the updates already delivered (their key names the
    // number). An update still owed stays until it is delivered, then goes too (ForgetErasedFederalSql).
    private const string EraseFederalDeliveredSql =
        "DELETE FROM federal_outbox WHERE done_ms IS NOT NULL AND portal_id IN (SELECT portal_id FROM federal_links WHERE number = @Number)";
    private const string EraseFederalLinkSql = "DELETE FROM federal_links WHERE number = @Number";
    private const string ForgetErasedFederalSql =
        "DELETE FROM federal_outbox WHERE key = @Key AND done_ms IS NOT NULL AND portal_id NOT IN (SELECT portal_id FROM federal_links)";
    private const string CompleteFederalSql =
        "UPDATE federal_outbox SET done_ms = @AtMs, outcome = @Outcome WHERE key = @Key AND done_ms IS NULL";
    private const string CountOwedFederalSql = "SELECT COUNT(*) FROM federal_outbox WHERE done_ms IS NULL";
    // Signal explanations (issue 13): public texts whose hash the log holds; stored once, redacted in place, never deleted.
    private const string InsertExplanationSql =
        "INSERT INTO signal_explanations (sha256, text, created_ms) VALUES (@Sha256, @Text, @CreatedMs) ON CONFLICT (sha256) DO NOTHING";
    private const string ExplanationColumns =
        "SELECT sha256 AS Sha256, text AS Text, created_ms AS CreatedMs, redacted AS Redacted, redacted_ms AS RedactedMs FROM signal_explanations";
    private const string GetExplanationSql = ExplanationColumns + " WHERE sha256 = @Sha256";
    private const string GetExplanationsSql = ExplanationColumns + " WHERE sha256 IN @Hashes";
    private const string AllExplanationsSql = ExplanationColumns + " ORDER BY sha256";
    private const string RedactExplanationSql =
        "UPDATE signal_explanations SET text = NULL, redacted = 1, redacted_ms = @At WHERE sha256 = @Sha256 AND redacted = 0";
    private const string MigrationsTableSql =
        "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_ms INTEGER NOT NULL)";

    private readonly string _connectionString;

    public SqliteLogStore(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        _connectionString = builder.ToString();
    }

    /// <summary>
    /// A store in a file under <paramref name="folder"/>, created if missing. The database holds
    /// personal data, so a new file is created readable and writable by the service's user only
    /// (0600); SQLite gives its WAL and shared-memory files the permissions of the database file.
    /// A new folder is created 0700.
    /// </summary>
    public static SqliteLogStore InFolder(string folder)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else if (!Directory.Exists(folder)) Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var file = Path.Combine(folder, "kinderqueue.db");
        if (!OperatingSystem.IsWindows() && !File.Exists(file))
        {
            try
            {
                using var created = new FileStream(file, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
            }
            catch (IOException) when (File.Exists(file))
            {
                // Another store created it a moment ago, the same way.
            }
        }
        return new SqliteLogStore($"Data Source={file}");
    }

    public string Backend => "sqlite";

    internal async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        // Durable commits (fsync) and concurrent readers while one writer appends. secure_delete makes
        // SQLite overwrite freed content with zeros, so an erased private record leaves no copy in free
        // space of the database file (its older copies in the WAL go with ErasePrivateAsync's checkpoint).
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA secure_delete=ON;", cancellationToken: ct)).ConfigureAwait(false);
        return connection;
    }

    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, ct).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(MigrationsTableSql, transaction: tx, cancellationToken: ct)).ConfigureAwait(false);
        var applied = (await connection.QueryAsync<string>(new CommandDefinition("SELECT id FROM schema_migrations", transaction: tx, cancellationToken: ct)).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, sql) in MigrationScripts.For(Backend))
        {
            if (applied.Contains(id)) continue;
            await connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, cancellationToken: ct)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition("INSERT INTO schema_migrations (id, applied_ms) VALUES (@id, 0)", new { id }, tx, cancellationToken: ct)).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    public async Task<IWriteSession> BeginWriteAsync(CancellationToken ct)
    {
        var connection = await OpenAsync(ct).ConfigureAwait(false);
        try
        {
            // deferred: false issues BEGIN IMMEDIATE: the database's one writer lock, taken now.
            var tx = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, ct).ConfigureAwait(false);
            return new Session(connection, tx);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<long> CountAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountSql, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<StoredEntry> ReadAsync(long fromSeq, long toSeqExclusive, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = ReadRangeSql;
        command.Parameters.AddWithValue("@From", fromSeq);
        command.Parameters.AddWithValue("@To", toSeqExclusive);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) yield return ReadEntry(reader);
    }

    internal static StoredEntry ReadEntry(System.Data.Common.DbDataReader r) =>
        new(r.GetInt64(0), Instant.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetString(2), r.GetString(3),
            (byte[])r.GetValue(4), (byte[])r.GetValue(5), (byte[])r.GetValue(6));

    public async Task<PrivateRecord?> GetPrivateAsync(string number, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<PrivateRow>(new CommandDefinition(GetPrivateSql, new { Number = number }, cancellationToken: ct)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    public async Task<bool> ErasePrivateAsync(string number, Instant at, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        int n;
        await using (var tx = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, ct).ConfigureAwait(false))
        {
            n = await connection.ExecuteAsync(new CommandDefinition(ErasePrivateSql, new { Number = number, At = at.ToUnixTimeMilliseconds() }, tx, cancellationToken: ct)).ConfigureAwait(false);
            var notes = await connection.ExecuteAsync(new CommandDefinition(EraseNotesSql, new { Number = number }, tx, cancellationToken: ct)).ConfigureAwait(false);
            notes += await connection.ExecuteAsync(new CommandDefinition(EraseFederalDeliveredSql, new { Number = number }, tx, cancellationToken: ct)).ConfigureAwait(false);
            notes += await connection.ExecuteAsync(new CommandDefinition(EraseFederalLinkSql, new { Number = number }, tx, cancellationToken: ct)).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
            if (n == 0 && notes == 0) return false;
        }
        await TruncateWalAsync(connection, ct).ConfigureAwait(false);
        return n == 1;
    }

    public async Task<IReadOnlyList<PrivateNote>> GetNotesAsync(string number, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        return [.. await connection.QueryAsync<PrivateNote>(new CommandDefinition(GetNotesSql, new { Number = number }, cancellationToken: ct)).ConfigureAwait(false)];
    }

    public async Task<PrivateNote?> GetNoteAsync(long seq, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<PrivateNote>(new CommandDefinition(GetNoteSql, new { Seq = seq }, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async Task RecordPrivateReadAsync(PrivateRead read, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(InsertReadSql,
            new { AtMs = read.At.ToUnixTimeMilliseconds(), read.Number, read.Actor, read.Purpose }, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<PrivateReadCount>> CountPrivateReadsAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        return [.. (await connection.QueryAsync<PrivateReadCountRow>(new CommandDefinition(CountReadsSql, cancellationToken: ct)).ConfigureAwait(false)).Select(r => r.ToCount())];
    }



    /// <summary>
    /// The WAL still holds the pages written when the record was stored, personal data included.
    /// A TRUNCATE checkpoint copies every frame into the database file (where secure_delete has
    /// zeroed the old record) and cuts the WAL to zero bytes. A reader in the middle of a long read
    /// can make it report busy; it is tried again a few times, and otherwise the next erasure or
    /// SQLite's own checkpoints finish the job (the record is unreadable through SQL either way).
    /// </summary>
    private static async Task TruncateWalAsync(SqliteConnection connection, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var busy = await connection.ExecuteScalarAsync<long>(new CommandDefinition(WalTruncateSql, cancellationToken: ct)).ConfigureAwait(false);
            if (busy == 0) return;
            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    public async Task<StoredCheckpoint?> GetLatestCheckpointAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<CheckpointRow>(new CommandDefinition(LatestCheckpointSql, cancellationToken: ct)).ConfigureAwait(false);
        return row?.ToCheckpoint();
    }

    public async Task AddCosignatureAsync(StoredCosignature cosignature, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cosignature);
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(InsertCosignatureSql, cosignature, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredCosignature>> GetCosignaturesAsync(long size, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        return [.. (await connection.QueryAsync<CosignatureRow>(new CommandDefinition(CosignaturesSql, new { Size = size }, cancellationToken: ct)).ConfigureAwait(false)).Select(r => r.ToCosignature())];
    }

    public async Task<long> LatestCosignedSizeAsync(string witness, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(LatestCosignedSql, new { Witness = witness }, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async Task<int> PurgeResponsesAsync(Instant before, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        var args = new { Before = before.ToUnixTimeMilliseconds() };
        var purged = await connection.ExecuteAsync(new CommandDefinition(PurgeResponsesSql, args, tx, cancellationToken: ct)).ConfigureAwait(false)
            + await connection.ExecuteAsync(new CommandDefinition(PurgeRecordResponsesSql, args, tx, cancellationToken: ct)).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return purged;
    }

    public async Task<Federal.FederalLink?> GetFederalLinkAsync(string portalId, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Federal.FederalLinkRow>(new CommandDefinition(GetFederalLinkSql, new { PortalId = portalId }, cancellationToken: ct)).ConfigureAwait(false);
        return row?.ToLink();
    }

    public async Task<IReadOnlyList<Federal.FederalDelivery>> OwedFederalAsync(int limit, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Federal.FederalDeliveryRow>(new CommandDefinition(OwedFederalSql, new { Limit = limit }, cancellationToken: ct)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToDelivery())];
    }

    public async Task CountFederalAttemptAsync(string key, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(CountFederalAttemptSql, new { Key = key }, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async Task<bool> CompleteFederalAsync(string key, Federal.FederalOutcome outcome, Instant at, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        var completed = await connection.ExecuteAsync(new CommandDefinition(CompleteFederalSql,
            new { Key = key, AtMs = at.ToUnixTimeMilliseconds(), Outcome = Federal.FederalOutbox.OutcomeName(outcome) }, cancellationToken: ct)).ConfigureAwait(false) == 1;
        if (completed) await connection.ExecuteAsync(new CommandDefinition(ForgetErasedFederalSql, new { Key = key }, cancellationToken: ct)).ConfigureAwait(false);
        return completed;
    }

    public async Task<long> CountOwedFederalAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountOwedFederalSql, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async Task<Signals.SignalExplanation> AddExplanationAsync(string sha256, string text, Instant at, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(InsertExplanationSql,
            new { Sha256 = sha256, Text = text, CreatedMs = at.ToUnixTimeMilliseconds() }, cancellationToken: ct)).ConfigureAwait(false);
        var row = await connection.QuerySingleAsync<Signals.SignalExplanationRow>(new CommandDefinition(GetExplanationSql, new { Sha256 = sha256 }, cancellationToken: ct)).ConfigureAwait(false);
        return row.ToExplanation();
    }

    public async Task<IReadOnlyDictionary<string, Signals.SignalExplanation>> GetExplanationsAsync(IReadOnlyCollection<string> hashes, CancellationToken ct)
    {
        if (hashes.Count == 0) return new Dictionary<string, Signals.SignalExplanation>(StringComparer.Ordinal);
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Signals.SignalExplanationRow>(new CommandDefinition(GetExplanationsSql, new { Hashes = hashes }, cancellationToken: ct)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Sha256, r => r.ToExplanation(), StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<Signals.SignalExplanation>> AllExplanationsAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        return [.. (await connection.QueryAsync<Signals.SignalExplanationRow>(new CommandDefinition(AllExplanationsSql, cancellationToken: ct)).ConfigureAwait(false)).Select(r => r.ToExplanation())];
    }

    public async Task<Signals.RedactionOutcome> RedactExplanationAsync(string sha256, Instant at, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(new CommandDefinition(RedactExplanationSql,
            new { Sha256 = sha256, At = at.ToUnixTimeMilliseconds() }, cancellationToken: ct)).ConfigureAwait(false);
        if (changed == 1)
        {
            // The text was redacted for holding personal data: out of the WAL too, as an erasure is.
            await TruncateWalAsync(connection, ct).ConfigureAwait(false);
            return Signals.RedactionOutcome.Redacted;
        }
        var row = await connection.QuerySingleOrDefaultAsync<Signals.SignalExplanationRow>(new CommandDefinition(GetExplanationSql, new { Sha256 = sha256 }, cancellationToken: ct)).ConfigureAwait(false);
        return row is null ? Signals.RedactionOutcome.Unknown : Signals.RedactionOutcome.AlreadyRedacted;
    }

    public async Task<bool> PingAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = await OpenAsync(ct).ConfigureAwait(false);
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 1", cancellationToken: ct)).ConfigureAwait(false) == 1;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    private sealed class Session(SqliteConnection connection, SqliteTransaction tx) : IWriteSession
    {
        public async Task<IReadOnlyList<StoredEntry>> ReadSinceAsync(long fromSeq, CancellationToken ct)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = ReadRangeSql;
            command.Parameters.AddWithValue("@From", fromSeq);
            command.Parameters.AddWithValue("@To", long.MaxValue);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<StoredEntry>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(ReadEntry(reader));
            return list;
        }

        public async Task<IReadOnlyDictionary<string, StoredResponse>> FindResponsesAsync(IReadOnlyCollection<string> keys, CancellationToken ct)
        {
            if (keys.Count == 0) return new Dictionary<string, StoredResponse>();
            var rows = await connection.QueryAsync<(string Key, long? Seq, byte[] Response)>(
                new CommandDefinition(FindResponsesSql, new { Keys = keys }, tx, cancellationToken: ct)).ConfigureAwait(false);
            return rows.ToDictionary(r => r.Key, r => new StoredResponse(r.Key, r.Seq, r.Response), StringComparer.Ordinal);
        }

        public async Task<StoredCheckpoint?> LatestCheckpointAsync(CancellationToken ct)
        {
            var row = await connection.QuerySingleOrDefaultAsync<CheckpointRow>(new CommandDefinition(LatestCheckpointSql, tx, cancellationToken: ct)).ConfigureAwait(false);
            return row?.ToCheckpoint();
        }

        public async Task AppendCheckpointAsync(StoredCheckpoint checkpoint, CancellationToken ct) =>
            await connection.ExecuteAsync(new CommandDefinition(InsertCheckpointSql,
                new { checkpoint.Size, TimeMs = checkpoint.Time.ToUnixTimeMilliseconds(), checkpoint.Document, checkpoint.Note }, tx, cancellationToken: ct)).ConfigureAwait(false);

        public async Task AppendNotesAsync(IReadOnlyList<PrivateNote> notes, CancellationToken ct)
        {
            if (notes.Count == 0) return;
            await connection.ExecuteAsync(new CommandDefinition(InsertNoteSql, notes, tx, cancellationToken: ct)).ConfigureAwait(false);
        }

        public async Task AppendAsync(IReadOnlyList<StoredEntry> entries, IReadOnlyList<StoredResponse> responses,
            IReadOnlyList<PrivateRecord> records, Instant now, CancellationToken ct)
        {
            if (entries.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(InsertEntrySql, entries.Select(e => new
                {
                    e.Seq, AtMs = e.At.ToUnixTimeMilliseconds(), e.Actor, e.Type, e.Payload, e.Prev, e.Hash,
                }), tx, cancellationToken: ct)).ConfigureAwait(false);
            }
            var (inRecords, own) = Appending.ResponsePlaces.Split(responses, records);
            var nowMs = now.ToUnixTimeMilliseconds();
            if (records.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(InsertPrivateSql, records.Select(r =>
                {
                    var kept = inRecords.GetValueOrDefault(r.Number);
                    return new
                    {
                        r.Number, r.Salt, r.Record, r.AccessHash, r.Owner,
                        ResponseKey = kept?.Key, ResponseSeq = kept?.Seq, Response = kept?.Response, ResponseMs = kept is null ? (long?)null : nowMs,
                    };
                }), tx, cancellationToken: ct)).ConfigureAwait(false);
            }
            if (own.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(InsertResponseSql, own.Select(r => new
                {
                    r.Key, r.Seq, r.Response, CreatedMs = nowMs,
                }), tx, cancellationToken: ct)).ConfigureAwait(false);
            }
        }

        public async Task AppendFederalAsync(IReadOnlyList<Federal.FederalLink> links, IReadOnlyList<Federal.FederalOutboxEntry> updates, CancellationToken ct)
        {
            if (links.Count > 0)
                await connection.ExecuteAsync(new CommandDefinition(InsertFederalLinkSql, links, tx, cancellationToken: ct)).ConfigureAwait(false);
            if (updates.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(InsertFederalUpdateSql, updates.Select(u => new
                {
                    u.Key, u.Seq, AtMs = u.At.ToUnixTimeMilliseconds(), u.Number, u.Status, u.Kindergarten, u.Group, u.Deadline,
                }), tx, cancellationToken: ct)).ConfigureAwait(false);
            }
        }

        public Task CommitAsync(CancellationToken ct) => tx.CommitAsync(ct);

        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}

