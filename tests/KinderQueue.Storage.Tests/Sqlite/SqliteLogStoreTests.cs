using System.Data.Common;
using KinderQueue.Storage.Tests.TestSupport;
using Microsoft.Data.Sqlite;

namespace KinderQueue.Storage.Tests.Sqlite;

/// <summary>The store contract on SQLite (the embedded default): a fresh database file per test in a temp folder.</summary>
public sealed class SqliteLogStoreTests(SqliteStoreFixture fixture) : LogStoreContract<SqliteStoreFixture>(fixture)
{
    private const int SqliteConstraint = 19;

    protected override void ShouldBeAppendOnlyRefusal(DbException ex)
    {
        var sqlite = ex.Should().BeOfType<SqliteException>().Subject;
        sqlite.SqliteErrorCode.Should().Be(SqliteConstraint, "a trigger's RAISE(ABORT) is a constraint failure");
        sqlite.Message.Should().Contain("log_entries is append-only");
    }

    protected override void ShouldBeDuplicateSeqRefusal(Exception ex)
    {
        var sqlite = ex.Should().BeOfType<SqliteException>().Subject;
        sqlite.SqliteErrorCode.Should().Be(SqliteConstraint);
        // The insert trigger of migration 002 speaks first; the primary key stays the last line of defence.
        sqlite.Message.Should().Match(m => m.Contains("UNIQUE constraint failed: log_entries.seq") || m.Contains("an entry with this seq or hash exists"));
    }

    // INSERT OR REPLACE resolves a conflict by deleting the old row, and SQLite fires no DELETE trigger for that
    // unless recursive_triggers is on (it is off in the sqlite3 shell): without migration 002 this rewrote history.
    [Theory]
    [InlineData("INSERT OR REPLACE INTO log_entries (seq, at_ms, actor, type, payload, prev, hash) SELECT seq, at_ms, 'staff:forged', type, payload, prev, hash FROM log_entries WHERE seq = 2")]
    [InlineData("REPLACE INTO log_entries (seq, at_ms, actor, type, payload, prev, hash) SELECT seq, at_ms + 1, actor, type, payload, prev, zeroblob(32) FROM log_entries WHERE seq = 7")]
    [InlineData("INSERT OR REPLACE INTO log_entries (seq, at_ms, actor, type, payload, prev, hash) SELECT 100, at_ms, actor, type, payload, prev, hash FROM log_entries WHERE seq = 7")]
    public async Task RawSql_InsertOrReplace_IsRefusedByTheDatabase(string sql)
    {
        var entries = Chain.Sample(applications: 3);
        await Store.AppendCommittedAsync(entries, Ct);

        var error = await ExecuteRawAsync(sql);

        error.Should().NotBeNull("REPLACE would delete and rewrite an entry: {0}", sql);
        ShouldBeAppendOnlyRefusal(error!);
        (await Store.ReadAllAsync(Ct)).ShouldBeSameEntries(entries);
    }

    [Fact]
    public async Task Database_IsInWalMode()
    {
        (await ScalarRawAsync("PRAGMA journal_mode")).Should().Be("wal", "readers keep reading while the writer appends");
    }
}
