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
public sealed class SqliteLogStore : ILogStore
{
    // Sequence numbers run from 0 without gaps, so the size is the last seq + 1: one index probe,
    // where COUNT(*) scans the whole log (the tail loop asks every 200 ms, for ever).
    private const string CountSql = "SELECT COALESCE(MAX(seq) + 1, 0) FROM log_entries";
    private const string ReadRangeSql =
        "SELECT seq, at_ms, actor, type, payload, prev, hash FROM log_entries WHERE seq >= @From AND seq < @To ORDER BY seq";
    private const string InsertEntrySql =
        "INSERT INTO log_entries (seq, at_ms, actor, type, payload, prev, hash) VALUES (@Seq, @AtMs, @Actor, @Type, @Payload, @Prev, @Hash)";
    private const string PurgeResponsesSql = "DELETE FROM idempotency WHERE created_ms < @Before";
    private const string FindResponsesSql = "SELECT key, seq, response FROM idempotency WHERE key IN @Keys";
    private const string InsertResponseSql =
        "INSERT INTO idempotency (key, seq, response, created_ms) VALUES (@Key, @Seq, @Response, @CreatedMs)";
    private const string InsertPrivateSql =
        "INSERT INTO private_records (number, salt, record, access_hash, owner, erased_ms) VALUES (@Number, @Salt, @Record, @AccessHash, @Owner, NULL)";
    private const string GetPrivateSql =
        "SELECT number, salt, record, access_hash AS AccessHash, owner, erased_ms AS ErasedMs FROM private_records WHERE number = @Number";
    private const string ErasePrivateSql =
        "UPDATE private_records SET record = NULL, erased_ms = @At WHERE number = @Number AND record IS NOT NULL";
    private const string MigrationsTableSql =
        "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_ms INTEGER NOT NULL)";

    private readonly string _connectionString;

    public SqliteLogStore(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        _connectionString = builder.ToString();
    }

    /// <summary>A store in a file under <paramref name="folder"/>, created if missing.</summary>
    public static SqliteLogStore InFolder(string folder)
    {
        Directory.CreateDirectory(folder);
        return new SqliteLogStore($"Data Source={Path.Combine(folder, "kinderqueue.db")}");
    }

    public string Backend => "sqlite";

    internal async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        // Durable commits (fsync) and concurrent readers while one writer appends.
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;", cancellationToken: ct)).ConfigureAwait(false);
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
        var n = await connection.ExecuteAsync(new CommandDefinition(ErasePrivateSql, new { Number = number, At = at.ToUnixTimeMilliseconds() }, cancellationToken: ct)).ConfigureAwait(false);
        return n == 1;
    }

    public async Task<int> PurgeResponsesAsync(Instant before, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(PurgeResponsesSql, new { Before = before.ToUnixTimeMilliseconds() }, cancellationToken: ct)).ConfigureAwait(false);
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

