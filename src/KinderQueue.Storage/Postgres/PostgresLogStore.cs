using System.Data;
using System.Runtime.CompilerServices;
using Dapper;
using KinderQueue.Storage.Migrations;
using NodaTime;
using Npgsql;

namespace KinderQueue.Storage.Postgres;

/// <summary>
/// Production storage. The writer lock is a transaction-scoped advisory lock, so any number of
/// service instances can share one database and still append one at a time; a batch's rows go in
/// as arrays (INSERT ... SELECT FROM unnest), every table in one round trip, which is what makes
/// group commit cheap. SQL of this backend lives in this file and in Migrations/Postgres.
/// </summary>
public sealed class PostgresLogStore : ILogStore, Federal.IFederalStore, Signals.ISignalExplanationStore
{
    // Arbitrary but fixed: the advisory-lock keys of this application.
    private const long WriterLockKey = 0x4B51_4C4F_4701;   // "KQLOG" + 1
    private const long MigrationLockKey = 0x4B51_4D49_4701; // "KQMIG" + 1

    // Sequence numbers run from 0 without gaps, so the size is the last seq + 1: one index probe,
    // where COUNT(*) scans the whole log (the tail loop asks every 200 ms, for ever).
    private const string CountSql = "SELECT COALESCE(MAX(seq) + 1, 0) FROM log_entries";
    private const string ReadRangeSql =
        "SELECT seq, at_ms, actor, type, payload, prev, hash FROM log_entries WHERE seq >= @From AND seq < @To ORDER BY seq";
    private const string WriterLockSql = "SELECT pg_advisory_xact_lock($1)";
    // Bounded on both sides as ReadRangeSql is: with an open range and no statistics yet, the planner
    // guesses a third of the log and plans a parallel scan, whose workers cost milliseconds to start.
    private const string ReadSinceSql =
        "SELECT seq, at_ms, actor, type, payload, prev, hash FROM log_entries WHERE seq >= $1 AND seq < $2 ORDER BY seq";
    // Responses expire from both places they are kept: their own rows, and the private records that
    // hold the response of the submission that created them (the record itself stays).
    private const string PurgeResponsesSql =
        "WITH own AS (DELETE FROM idempotency WHERE created_ms < $1 RETURNING 1), " +
        "kept AS (UPDATE private_records SET response_key = NULL, response_seq = NULL, response = NULL, response_ms = NULL " +
        "WHERE response_key IS NOT NULL AND response_ms < $1 RETURNING 1) " +
        "SELECT (SELECT COUNT(*) FROM own) + (SELECT COUNT(*) FROM kept)";
    private const string FindResponsesSql =
        "SELECT key, seq, response FROM idempotency WHERE key = ANY($1) " +
        "UNION ALL SELECT response_key, response_seq, response FROM private_records WHERE response_key = ANY($1)";
    // A batch's rows go in as arrays, one statement per table, all three in one round trip: a row-by-row
    // INSERT would cost a round trip per row, which is what group commit is there to avoid.
    private const string InsertEntriesSql =
        "INSERT INTO log_entries (seq, at_ms, actor, type, payload, prev, hash) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bytea[], $6::bytea[], $7::bytea[])";
    private const string InsertResponsesSql =
        "INSERT INTO idempotency (key, seq, response, created_ms) SELECT k, s, r, $4 FROM unnest($1::text[], $2::bigint[], $3::bytea[]) AS u(k, s, r)";
    // A record carries the sealed response of the command that created it (NULLs when it came without a key).
    private const string InsertPrivateSql =
        "INSERT INTO private_records (number, salt, record, access_hash, owner, erased_ms, response_key, response_seq, response, response_ms) " +
        "SELECT n, sa, re, ah, o, NULL, rk, rs, rr, CASE WHEN rk IS NULL THEN NULL ELSE $9 END " +
        "FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::bytea[], $5::text[], $6::text[], $7::bigint[], $8::bytea[]) AS u(n, sa, re, ah, o, rk, rs, rr)";
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
        "SELECT to_char(to_timestamp(at_ms / 1000) AT TIME ZONE 'UTC', 'YYYY-MM') AS Month, purpose AS Purpose, COUNT(*) AS Count FROM private_reads GROUP BY 1, 2 ORDER BY 1, 2";
    // Federal portal (issue 14): links are private, the outbox holds the portal id and public details only.
    private const string InsertFederalLinksSql =
        "INSERT INTO federal_links (portal_id, number, content_hash) SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[])";
    // An update is owed only for an application the portal sent, whose link the same transaction may just have written.
    private const string InsertFederalUpdatesSql =
        "INSERT INTO federal_outbox (key, seq, at_ms, portal_id, status, kindergarten, grp, deadline) " +
        "SELECT u.k, u.s, u.a, l.portal_id, u.st, u.kg, u.g, u.d " +
        "FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS u(k, s, a, n, st, kg, g, d) " +
        "JOIN federal_links l ON l.number = u.n";
    private const string GetFederalLinkSql =
        "SELECT portal_id AS PortalId, number AS Number, content_hash AS ContentHash FROM federal_links WHERE portal_id = @PortalId";
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
    private const string GetExplanationsSql = ExplanationColumns + " WHERE sha256 = ANY(@Hashes)";
    private const string AllExplanationsSql = ExplanationColumns + " ORDER BY sha256";
    private const string RedactExplanationSql =
        "UPDATE signal_explanations SET text = NULL, redacted = TRUE, redacted_ms = @At WHERE sha256 = @Sha256 AND NOT redacted";
    private const string MigrationsTableSql =
        "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_ms BIGINT NOT NULL)";

    private readonly NpgsqlDataSource _dataSource;

    public PostgresLogStore(string connectionString)
    {
        // Group commit sends the same few statements for every batch: prepared on each connection once
        // (Npgsql's automatic preparation), the server parses and plans them once, not once a batch.
        // A "Max Auto Prepare" in the connection string, 0 included, is kept as given.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare")) builder.MaxAutoPrepare = 16;
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public string Backend => "postgres";

    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        // Fast path without DDL or locks, so the service can run as a kq_app member (which may not
        // create tables) once the owner has migrated the database.
        var known = await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT to_regclass('schema_migrations') IS NOT NULL", cancellationToken: ct)).ConfigureAwait(false);
        if (known)
        {
            var done = (await connection.QueryAsync<string>(new CommandDefinition("SELECT id FROM schema_migrations", cancellationToken: ct)).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
            if (MigrationScripts.For(Backend).All(m => done.Contains(m.Id))) return;
        }
        // Instances starting together take turns; the second finds everything applied.
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@Key)", new { Key = MigrationLockKey }, cancellationToken: ct)).ConfigureAwait(false);
        try
        {
            await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(MigrationsTableSql, transaction: tx, cancellationToken: ct)).ConfigureAwait(false);
            var applied = (await connection.QueryAsync<string>(new CommandDefinition("SELECT id FROM schema_migrations", transaction: tx, cancellationToken: ct)).ConfigureAwait(false))
                .ToHashSet(StringComparer.Ordinal);
            foreach (var (id, sql) in MigrationScripts.For(Backend))
            {
                if (applied.Contains(id)) continue;
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, cancellationToken: ct)).ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition("INSERT INTO schema_migrations (id, applied_ms) VALUES (@id, 0)", new { id }, tx, cancellationToken: ct)).ConfigureAwait(false);
            }
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@Key)", new { Key = MigrationLockKey }, cancellationToken: CancellationToken.None)).ConfigureAwait(false);
        }
    }

    public async Task<IWriteSession> BeginWriteAsync(CancellationToken ct) =>
        (await BeginWriteAsync(null, [], ct).ConfigureAwait(false)).Session;

    /// <summary>BEGIN, the lock, the entries since <paramref name="fromSeq"/> and the stored responses: one round trip.</summary>
    public async Task<WriteStart> BeginWriteAsync(long fromSeq, IReadOnlyCollection<string> keys, CancellationToken ct) =>
        await BeginWriteAsync((long?)fromSeq, keys, ct).ConfigureAwait(false);

    private async Task<WriteStart> BeginWriteAsync(long? fromSeq, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var session = new Session(connection);
        try
        {
            // The session runs BEGIN and COMMIT itself (no NpgsqlTransaction), so that they can share
            // round trips with the statements next to them: the lock and the reads here, the rows and
            // COMMIT in AppendAndCommitAsync. An error skips the rest of a batch.
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN ISOLATION LEVEL READ COMMITTED"));
            var lockCommand = new NpgsqlBatchCommand(WriterLockSql);
            lockCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = WriterLockKey });
            batch.BatchCommands.Add(lockCommand);
            if (fromSeq is null)
            {
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                return new WriteStart(session, [], new Dictionary<string, StoredResponse>());
            }
            var since = new NpgsqlBatchCommand(ReadSinceSql);
            since.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fromSeq.Value });
            since.Parameters.Add(new NpgsqlParameter<long> { TypedValue = long.MaxValue });
            batch.BatchCommands.Add(since);
            var find = new NpgsqlBatchCommand(FindResponsesSql);
            find.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keys] });
            batch.BatchCommands.Add(find);
            await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            // Result sets in order (the lock's one void row, then the entries, then the responses), told apart by shape.
            var entries = new List<StoredEntry>();
            var responses = new Dictionary<string, StoredResponse>(StringComparer.Ordinal);
            do
            {
                if (reader.FieldCount == 7)
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false)) entries.Add(ReadEntry(reader));
                }
                else if (reader.FieldCount == 3)
                {
                    responses = await ReadResponsesAsync(reader, ct).ConfigureAwait(false);
                }
            }
            while (await reader.NextResultAsync(ct).ConfigureAwait(false));
            return new WriteStart(session, entries, responses);
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<long> CountAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountSql, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<StoredEntry> ReadAsync(long fromSeq, long toSeqExclusive, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(ReadRangeSql, connection);
        command.Parameters.AddWithValue("From", fromSeq);
        command.Parameters.AddWithValue("To", toSeqExclusive);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) yield return ReadEntry(reader);
    }

    private static StoredEntry ReadEntry(NpgsqlDataReader r) =>
        new(r.GetInt64(0), Instant.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetString(2), r.GetString(3),
            r.GetFieldValue<byte[]>(4), r.GetFieldValue<byte[]>(5), r.GetFieldValue<byte[]>(6));

    public async Task<PrivateRecord?> GetPrivateAsync(string number, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<PrivateRow>(new CommandDefinition(GetPrivateSql, new { Number = number }, cancellationToken: ct)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    /// <summary>
    /// The record and the application's notes go in one transaction. PostgreSQL keeps the old row
    /// version until VACUUM reclaims it, and WAL segments until they are recycled: SPEC.md §16 says
    /// what an operator runs so that no copy stays in the files.
    /// </summary>
    public async Task<bool> ErasePrivateAsync(string number, Instant at, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        var n = await connection.ExecuteAsync(new CommandDefinition(ErasePrivateSql, new { Number = number, At = at.ToUnixTimeMilliseconds() }, tx, cancellationToken: ct)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(EraseNotesSql, new { Number = number }, tx, cancellationToken: ct)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(EraseFederalDeliveredSql, new { Number = number }, tx, cancellationToken: ct)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(EraseFederalLinkSql, new { Number = number }, tx, cancellationToken: ct)).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return n == 1;
    }

    public async Task<IReadOnlyList<PrivateNote>> GetNotesAsync(string number, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return [.. await connection.QueryAsync<PrivateNote>(new CommandDefinition(GetNotesSql, new { Number = number }, cancellationToken: ct)).ConfigureAwait(false)];
    }

    public async Task<PrivateNote?> GetNoteAsync(long seq, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<PrivateNote>(new CommandDefinition(GetNoteSql, new { Seq = seq }, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async Task RecordPrivateReadAsync(PrivateRead read, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(InsertReadSql,
            new { AtMs = read.At.ToUnixTimeMilliseconds(), read.Number, read.Actor, read.Purpose }, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<PrivateReadCount>> CountPrivateReadsAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return [.. (await connection.QueryAsync<PrivateReadCountRow>(new CommandDefinition(CountReadsSql, cancellationToken: ct)).ConfigureAwait(false)).Select(r => r.ToCount())];
    }



    public async Task<StoredCheckpoint?> GetLatestCheckpointAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<CheckpointRow>(new CommandDefinition(LatestCheckpointSql, cancellationToken: ct)).ConfigureAwait(false);
        return row?.ToCheckpoint();
    }

    public async Task AddCosignatureAsync(StoredCosignature cosignature, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cosignature);
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(InsertCosignatureSql, cosignature, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredCosignature>> GetCosignaturesAsync(long size, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return [.. (await connection.QueryAsync<CosignatureRow>(new CommandDefinition(CosignaturesSql, new { Size = size }, cancellationToken: ct)).ConfigureAwait(false)).Select(r => r.ToCosignature())];
    }

    public async Task<long> LatestCosignedSizeAsync(string witness, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(LatestCosignedSql, new { Witness = witness }, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async Task<int> PurgeResponsesAsync(Instant before, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(PurgeResponsesSql, connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = before.ToUnixTimeMilliseconds() });
        return checked((int)(long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!);
    }

    public async Task<Federal.FederalLink?> GetFederalLinkAsync(string portalId, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Federal.FederalLinkRow>(new CommandDefinition(GetFederalLinkSql, new { PortalId = portalId }, cancellationToken: ct)).ConfigureAwait(false);
        return row?.ToLink();
    }

    public async Task<IReadOnlyList<Federal.FederalDelivery>> OwedFederalAsync(int limit, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Federal.FederalDeliveryRow>(new CommandDefinition(OwedFederalSql, new { Limit = limit }, cancellationToken: ct)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToDelivery())];
    }

    public async Task CountFederalAttemptAsync(string key, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(CountFederalAttemptSql, new { Key = key }, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async Task<bool> CompleteFederalAsync(string key, Federal.FederalOutcome outcome, Instant at, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var completed = await connection.ExecuteAsync(new CommandDefinition(CompleteFederalSql,
            new { Key = key, AtMs = at.ToUnixTimeMilliseconds(), Outcome = Federal.FederalOutbox.OutcomeName(outcome) }, cancellationToken: ct)).ConfigureAwait(false) == 1;
        if (completed) await connection.ExecuteAsync(new CommandDefinition(ForgetErasedFederalSql, new { Key = key }, cancellationToken: ct)).ConfigureAwait(false);
        return completed;
    }

    public async Task<long> CountOwedFederalAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountOwedFederalSql, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async Task<Signals.SignalExplanation> AddExplanationAsync(string sha256, string text, Instant at, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(InsertExplanationSql,
            new { Sha256 = sha256, Text = text, CreatedMs = at.ToUnixTimeMilliseconds() }, cancellationToken: ct)).ConfigureAwait(false);
        var row = await connection.QuerySingleAsync<Signals.SignalExplanationRow>(new CommandDefinition(GetExplanationSql, new { Sha256 = sha256 }, cancellationToken: ct)).ConfigureAwait(false);
        return row.ToExplanation();
    }

    public async Task<IReadOnlyDictionary<string, Signals.SignalExplanation>> GetExplanationsAsync(IReadOnlyCollection<string> hashes, CancellationToken ct)
    {
        if (hashes.Count == 0) return new Dictionary<string, Signals.SignalExplanation>(StringComparer.Ordinal);
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Signals.SignalExplanationRow>(new CommandDefinition(GetExplanationsSql, new { Hashes = hashes.ToArray() }, cancellationToken: ct)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Sha256, r => r.ToExplanation(), StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<Signals.SignalExplanation>> AllExplanationsAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return [.. (await connection.QueryAsync<Signals.SignalExplanationRow>(new CommandDefinition(AllExplanationsSql, cancellationToken: ct)).ConfigureAwait(false)).Select(r => r.ToExplanation())];
    }

    public async Task<Signals.RedactionOutcome> RedactExplanationAsync(string sha256, Instant at, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(new CommandDefinition(RedactExplanationSql,
            new { Sha256 = sha256, At = at.ToUnixTimeMilliseconds() }, cancellationToken: ct)).ConfigureAwait(false);
        if (changed == 1) return Signals.RedactionOutcome.Redacted;
        var row = await connection.QuerySingleOrDefaultAsync<Signals.SignalExplanationRow>(new CommandDefinition(GetExplanationSql, new { Sha256 = sha256 }, cancellationToken: ct)).ConfigureAwait(false);
        return row is null ? Signals.RedactionOutcome.Unknown : Signals.RedactionOutcome.AlreadyRedacted;
    }

    public async Task<bool> PingAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            return await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct)).ConfigureAwait(false) == 1;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static async Task<Dictionary<string, StoredResponse>> ReadResponsesAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var found = new Dictionary<string, StoredResponse>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var key = reader.GetString(0);
            found[key] = new StoredResponse(key, reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
        }
        return found;
    }

    /// <summary>
    /// One write transaction on its own connection. Group commit needs two round trips: BEGIN, the
    /// lock and the reads (BeginWriteAsync with a position); the rows and COMMIT (AppendAndCommitAsync).
    /// </summary>
    private sealed class Session(NpgsqlConnection connection) : IWriteSession
    {
        private bool _ended;

        public async Task<IReadOnlyList<StoredEntry>> ReadSinceAsync(long fromSeq, CancellationToken ct)
        {
            await using var command = new NpgsqlCommand(ReadSinceSql, connection);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fromSeq });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = long.MaxValue });
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<StoredEntry>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(ReadEntry(reader));
            return list;
        }

        public async Task<StoredCheckpoint?> LatestCheckpointAsync(CancellationToken ct)
        {
            var row = await connection.QuerySingleOrDefaultAsync<CheckpointRow>(new CommandDefinition(LatestCheckpointSql, cancellationToken: ct)).ConfigureAwait(false);
            return row?.ToCheckpoint();
        }

        public async Task AppendCheckpointAsync(StoredCheckpoint checkpoint, CancellationToken ct) =>
            await connection.ExecuteAsync(new CommandDefinition(InsertCheckpointSql,
                new { checkpoint.Size, TimeMs = checkpoint.Time.ToUnixTimeMilliseconds(), checkpoint.Document, checkpoint.Note }, cancellationToken: ct)).ConfigureAwait(false);

        public async Task AppendNotesAsync(IReadOnlyList<PrivateNote> notes, CancellationToken ct)
        {
            if (notes.Count == 0) return;
            await connection.ExecuteAsync(new CommandDefinition(InsertNoteSql, notes, cancellationToken: ct)).ConfigureAwait(false);
        }

        public async Task<IReadOnlyDictionary<string, StoredResponse>> FindResponsesAsync(IReadOnlyCollection<string> keys, CancellationToken ct)
        {
            if (keys.Count == 0) return new Dictionary<string, StoredResponse>();
            await using var command = new NpgsqlCommand(FindResponsesSql, connection);
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keys] });
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await ReadResponsesAsync(reader, ct).ConfigureAwait(false);
        }

        public Task AppendAsync(IReadOnlyList<StoredEntry> entries, IReadOnlyList<StoredResponse> responses,
            IReadOnlyList<PrivateRecord> records, Instant now, CancellationToken ct) =>
            SendAsync(entries, responses, records, now, commit: false, ct);

        public Task AppendAndCommitAsync(IReadOnlyList<StoredEntry> entries, IReadOnlyList<StoredResponse> responses,
            IReadOnlyList<PrivateRecord> records, Instant now, CancellationToken ct) =>
            SendAsync(entries, responses, records, now, commit: true, ct);

        public async Task AppendFederalAsync(IReadOnlyList<Federal.FederalLink> links, IReadOnlyList<Federal.FederalOutboxEntry> updates, CancellationToken ct)
        {
            await using var batch = new NpgsqlBatch(connection);
            if (links.Count > 0)
            {
                var command = new NpgsqlBatchCommand(InsertFederalLinksSql);
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = links.Select(l => l.PortalId).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = links.Select(l => l.Number).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = links.Select(l => l.ContentHash).ToArray() });
                batch.BatchCommands.Add(command);
            }
            if (updates.Count > 0)
            {
                var command = new NpgsqlBatchCommand(InsertFederalUpdatesSql);
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = updates.Select(u => u.Key).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = updates.Select(u => u.Seq).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = updates.Select(u => u.At.ToUnixTimeMilliseconds()).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = updates.Select(u => u.Number).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = updates.Select(u => u.Status).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = updates.Select(u => u.Kindergarten).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = updates.Select(u => u.Group).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = updates.Select(u => u.Deadline).ToArray() });
                batch.BatchCommands.Add(command);
            }
            if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        public async Task CommitAsync(CancellationToken ct)
        {
            await using var command = new NpgsqlCommand("COMMIT", connection);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            _ended = true;
        }

        private async Task SendAsync(IReadOnlyList<StoredEntry> entries, IReadOnlyList<StoredResponse> responses,
            IReadOnlyList<PrivateRecord> records, Instant now, bool commit, CancellationToken ct)
        {
            await using var batch = new NpgsqlBatch(connection);
            if (entries.Count > 0)
            {
                var command = new NpgsqlBatchCommand(InsertEntriesSql);
                command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = entries.Select(e => e.Seq).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = entries.Select(e => e.At.ToUnixTimeMilliseconds()).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = entries.Select(e => e.Actor).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = entries.Select(e => e.Type).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = entries.Select(e => e.Payload).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = entries.Select(e => e.Prev).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = entries.Select(e => e.Hash).ToArray() });
                batch.BatchCommands.Add(command);
            }
            var (inRecords, own) = Appending.ResponsePlaces.Split(responses, records);
            if (records.Count > 0)
            {
                var kept = records.Select(r => inRecords.GetValueOrDefault(r.Number)).ToArray();
                var command = new NpgsqlBatchCommand(InsertPrivateSql);
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = records.Select(r => r.Number).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = records.Select(r => r.Salt).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<byte[]?[]> { TypedValue = records.Select(r => r.Record).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = records.Select(r => r.AccessHash).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = records.Select(r => r.Owner).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = kept.Select(r => r?.Key).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<long?[]> { TypedValue = kept.Select(r => r?.Seq).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<byte[]?[]> { TypedValue = kept.Select(r => r?.Response).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = now.ToUnixTimeMilliseconds() });
                batch.BatchCommands.Add(command);
            }
            if (own.Count > 0)
            {
                var command = new NpgsqlBatchCommand(InsertResponsesSql);
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = own.Select(r => r.Key).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<long?[]> { TypedValue = own.Select(r => r.Seq).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = own.Select(r => r.Response).ToArray() });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = now.ToUnixTimeMilliseconds() });
                batch.BatchCommands.Add(command);
            }
            // An error in any statement skips the rest of the batch, COMMIT included: nothing is committed.
            if (commit) batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            if (commit) _ended = true;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                // Not committed: roll back, which also releases the writer lock.
                if (!_ended && connection.State == ConnectionState.Open)
                {
                    await using var command = new NpgsqlCommand("ROLLBACK", connection);
                    await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // A broken connection: the server ends the transaction (and the lock) with the session.
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
