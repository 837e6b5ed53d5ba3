using System.Data;
using System.Runtime.CompilerServices;
using Dapper;
using KinderQueue.Storage.Migrations;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace KinderQueue.Storage.Postgres;

/// <summary>
/// Production storage. The writer lock is a transaction-scoped advisory lock, so any number of
/// service instances can share one database and still append one at a time; entries go in with
/// binary COPY, which is what makes group commit cheap. SQL of this backend lives in this file
/// and in Migrations/Postgres.
/// </summary>
public sealed class PostgresLogStore : ILogStore
{
    // Arbitrary but fixed: the advisory-lock keys of this application.
    private const long WriterLockKey = 0x4B51_4C4F_4701;   // "KQLOG" + 1
    private const long MigrationLockKey = 0x4B51_4D49_4701; // "KQMIG" + 1

    private const string CountSql = "SELECT COUNT(*) FROM log_entries";
    private const string ReadRangeSql =
        "SELECT seq, at_ms, actor, type, payload, prev, hash FROM log_entries WHERE seq >= @From AND seq < @To ORDER BY seq";
    private const string WriterLockSql = "SELECT pg_advisory_xact_lock(@Key)";
    private const string CopyEntriesSql = "COPY log_entries (seq, at_ms, actor, type, payload, prev, hash) FROM STDIN (FORMAT BINARY)";
    private const string FindResponsesSql = "SELECT key, seq, response FROM idempotency WHERE key = ANY(@Keys)";
    private const string InsertResponseSql =
        "INSERT INTO idempotency (key, seq, response, created_ms) VALUES (@Key, @Seq, @Response, @CreatedMs)";
    private const string InsertPrivateSql =
        "INSERT INTO private_records (number, salt, record, access_hash, owner, erased_ms) VALUES (@Number, @Salt, @Record, @AccessHash, @Owner, NULL)";
    private const string GetPrivateSql =
        "SELECT number, salt, record, access_hash AS AccessHash, owner, erased_ms AS ErasedMs FROM private_records WHERE number = @Number";
    private const string ErasePrivateSql =
        "UPDATE private_records SET record = NULL, erased_ms = @At WHERE number = @Number AND record IS NOT NULL";
    private const string MigrationsTableSql =
        "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_ms BIGINT NOT NULL)";

    private readonly NpgsqlDataSource _dataSource;

    public PostgresLogStore(string connectionString)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
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

    public async Task<IWriteSession> BeginWriteAsync(CancellationToken ct)
    {
        var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        try
        {
            var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(WriterLockSql, new { Key = WriterLockKey }, tx, cancellationToken: ct)).ConfigureAwait(false);
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

    public async Task<bool> ErasePrivateAsync(string number, Instant at, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(ErasePrivateSql, new { Number = number, At = at.ToUnixTimeMilliseconds() }, cancellationToken: ct)).ConfigureAwait(false) == 1;
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

    private sealed class Session(NpgsqlConnection connection, NpgsqlTransaction tx) : IWriteSession
    {
        public async Task<IReadOnlyList<StoredEntry>> ReadSinceAsync(long fromSeq, CancellationToken ct)
        {
            await using var command = new NpgsqlCommand(ReadRangeSql, connection, tx);
            command.Parameters.AddWithValue("From", fromSeq);
            command.Parameters.AddWithValue("To", long.MaxValue);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<StoredEntry>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(ReadEntry(reader));
            return list;
        }

        public async Task<IReadOnlyDictionary<string, StoredResponse>> FindResponsesAsync(IReadOnlyCollection<string> keys, CancellationToken ct)
        {
            if (keys.Count == 0) return new Dictionary<string, StoredResponse>();
            var rows = await connection.QueryAsync<(string Key, long? Seq, byte[] Response)>(
                new CommandDefinition(FindResponsesSql, new { Keys = keys.ToArray() }, tx, cancellationToken: ct)).ConfigureAwait(false);
            return rows.ToDictionary(r => r.Key, r => new StoredResponse(r.Key, r.Seq, r.Response), StringComparer.Ordinal);
        }

        public async Task AppendAsync(IReadOnlyList<StoredEntry> entries, IReadOnlyList<StoredResponse> responses,
            IReadOnlyList<PrivateRecord> records, Instant now, CancellationToken ct)
        {
            if (entries.Count > 0)
            {
                await using var importer = await connection.BeginBinaryImportAsync(CopyEntriesSql, ct).ConfigureAwait(false);
                foreach (var e in entries)
                {
                    await importer.StartRowAsync(ct).ConfigureAwait(false);
                    await importer.WriteAsync(e.Seq, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                    await importer.WriteAsync(e.At.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                    await importer.WriteAsync(e.Actor, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await importer.WriteAsync(e.Type, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await importer.WriteAsync(e.Payload, NpgsqlDbType.Bytea, ct).ConfigureAwait(false);
                    await importer.WriteAsync(e.Prev, NpgsqlDbType.Bytea, ct).ConfigureAwait(false);
                    await importer.WriteAsync(e.Hash, NpgsqlDbType.Bytea, ct).ConfigureAwait(false);
                }
                await importer.CompleteAsync(ct).ConfigureAwait(false);
            }
            if (records.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(InsertPrivateSql, records.Select(r => new
                {
                    r.Number, r.Salt, r.Record, r.AccessHash, r.Owner,
                }), tx, cancellationToken: ct)).ConfigureAwait(false);
            }
            if (responses.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(InsertResponseSql, responses.Select(r => new
                {
                    r.Key, r.Seq, r.Response, CreatedMs = now.ToUnixTimeMilliseconds(),
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
