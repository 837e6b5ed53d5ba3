using System.Diagnostics;
using Npgsql;

namespace KinderQueue.ServiceBenchmarks;

/// <summary>
/// The store benchmark's yardstick (issue 16): what PostgreSQL alone takes to make the same rows
/// durable, with no service code. It copies the tables the run appended to (LIKE ... INCLUDING ALL:
/// the same columns, constraints and indexes, no triggers), takes the run's last stored entries and
/// private records as templates, and from one connection appends batches of the run's average size,
/// each in one round trip as the store sends them: BEGIN, the advisory lock, the idempotency lookup,
/// the entries, the private records (their responses inside), COMMIT. Every row gets a fresh seq,
/// hash, number and response key, so each index grows as the service's do.
/// </summary>
public static class RawInsertYardstick
{
    private const string FindSql =
        "SELECT key, seq, response FROM yard_idempotency WHERE key = ANY($1) " +
        "UNION ALL SELECT response_key, response_seq, response FROM yard_private WHERE response_key = ANY($1)";
    private const string InsertEntriesSql =
        "INSERT INTO yard_log (seq, at_ms, actor, type, payload, prev, hash) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bytea[], $6::bytea[], $7::bytea[])";
    private const string InsertPrivateSql =
        "INSERT INTO yard_private (number, salt, record, access_hash, owner, erased_ms, response_key, response_seq, response, response_ms) " +
        "SELECT n, sa, re, ah, o, NULL, rk, rs, rr, $9 FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::bytea[], $5::text[], $6::text[], $7::bigint[], $8::bytea[]) AS u(n, sa, re, ah, o, rk, rs, rr)";

    /// <summary>Appends <paramref name="warmup"/> then <paramref name="events"/> events (timed) in batches of <paramref name="batch"/>; returns events per second.</summary>
    public static async Task<double> RunAsync(string connectionString, int batch, int warmup, int events, CancellationToken ct)
    {
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 16 });
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await ExecuteAsync(connection, "CREATE TABLE yard_log (LIKE log_entries INCLUDING ALL); CREATE TABLE yard_private (LIKE private_records INCLUDING ALL); " +
            "CREATE TABLE yard_idempotency (LIKE idempotency INCLUDING ALL)", ct);
        var templates = await TemplatesAsync(connection, batch, ct);
        var rng = new Random(16);
        long seq = 0;
        await AppendAsync(connection, templates, batch, warmup, rng, seq, ct);
        seq += warmup;
        // Fresh tables have no statistics; the service's tables have autovacuum's by now.
        await ExecuteAsync(connection, "ANALYZE yard_log, yard_private, yard_idempotency", ct);
        var started = Stopwatch.GetTimestamp();
        await AppendAsync(connection, templates, batch, events, rng, seq, ct);
        var elapsed = Stopwatch.GetElapsedTime(started);
        await ExecuteAsync(connection, "DROP TABLE yard_log, yard_private, yard_idempotency", ct);
        return events / elapsed.TotalSeconds;
    }

    private static async Task AppendAsync(NpgsqlConnection connection, Template[] templates, int batch, int events, Random rng, long seq, CancellationToken ct)
    {
        for (var done = 0; done < events; done += batch)
        {
            var n = Math.Min(batch, events - done);
            var rows = new Template[n];
            var seqs = new long[n];
            var hashes = new byte[n][];
            var numbers = new string[n];
            var keys = new string[n];
            for (var i = 0; i < n; i++)
            {
                rows[i] = templates[(int)((seq + i) % templates.Length)];
                seqs[i] = seq + i;
                hashes[i] = new byte[32];
                rng.NextBytes(hashes[i]);
                numbers[i] = $"KQ-{rng.NextInt64(0, 1L << 40):X10}";
                keys[i] = Convert.ToHexStringLower(RandomBytes(rng, 32));
            }
            seq += n;
            await using var b = new NpgsqlBatch(connection);
            b.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN ISOLATION LEVEL READ COMMITTED"));
            b.BatchCommands.Add(Command("SELECT pg_advisory_xact_lock($1)", new NpgsqlParameter<long> { TypedValue = 0x4B51_5941_5201 }));
            b.BatchCommands.Add(Command(FindSql, new NpgsqlParameter<string[]> { TypedValue = keys }));
            b.BatchCommands.Add(Command(InsertEntriesSql,
                new NpgsqlParameter<long[]> { TypedValue = seqs },
                new NpgsqlParameter<long[]> { TypedValue = [.. rows.Select(r => r.AtMs)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => r.Actor)] },
                new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => r.Type)] },
                new NpgsqlParameter<byte[][]> { TypedValue = [.. rows.Select(r => r.Payload)] },
                new NpgsqlParameter<byte[][]> { TypedValue = [.. rows.Select(r => r.Prev)] },
                new NpgsqlParameter<byte[][]> { TypedValue = hashes }));
            b.BatchCommands.Add(Command(InsertPrivateSql,
                new NpgsqlParameter<string[]> { TypedValue = numbers },
                new NpgsqlParameter<byte[][]> { TypedValue = [.. rows.Select(r => r.Salt)] },
                new NpgsqlParameter<byte[][]> { TypedValue = [.. rows.Select(r => r.Record)] },
                new NpgsqlParameter<byte[][]> { TypedValue = [.. rows.Select(r => r.AccessHash)] },
                new NpgsqlParameter<string?[]> { TypedValue = [.. rows.Select(r => r.Owner)] },
                new NpgsqlParameter<string[]> { TypedValue = keys },
                new NpgsqlParameter<long[]> { TypedValue = seqs },
                new NpgsqlParameter<byte[][]> { TypedValue = [.. rows.Select(r => r.Response)] },
                new NpgsqlParameter<long> { TypedValue = rows[0].AtMs }));
            b.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            await b.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The run's last entries (submissions) and private records with their kept responses.</summary>
    private static async Task<Template[]> TemplatesAsync(NpgsqlConnection connection, int count, CancellationToken ct)
    {
        const string sql =
            "SELECT e.at_ms, e.actor, e.type, e.payload, e.prev, p.salt, p.record, p.access_hash, p.owner, p.response " +
            "FROM (SELECT * FROM log_entries ORDER BY seq DESC LIMIT $1) e " +
            "JOIN private_records p ON p.response_seq = e.seq WHERE p.response IS NOT NULL";
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Max(count, 64) });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<Template>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(new Template(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<byte[]>(3), reader.GetFieldValue<byte[]>(4),
                reader.GetFieldValue<byte[]>(5), reader.GetFieldValue<byte[]>(6), reader.GetFieldValue<byte[]>(7), reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.GetFieldValue<byte[]>(9)));
        }
        if (list.Count == 0) throw new BenchmarkException("yardstick: no submission with a kept response to copy");
        return [.. list];
    }

    private static byte[] RandomBytes(Random rng, int n)
    {
        var bytes = new byte[n];
        rng.NextBytes(bytes);
        return bytes;
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private sealed record Template(long AtMs, string Actor, string Type, byte[] Payload, byte[] Prev, byte[] Salt, byte[] Record, byte[] AccessHash,
        string? Owner, byte[] Response);
}
