using System.Data.Common;
using System.Security.Cryptography;
using KinderQueue.Storage.Postgres;
using KinderQueue.Storage.Tests.TestSupport;
using Npgsql;

namespace KinderQueue.Storage.Tests.Postgres;

/// <summary>
/// The store contract on PostgreSQL, plus what only PostgreSQL has: TRUNCATE, the kq_app role and
/// its privileges, column types. A fresh database for this class, a fresh schema per test.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class PostgresLogStoreTests(PostgresStoreFixture fixture) : LogStoreContract<PostgresStoreFixture>(fixture)
{
    private PostgresScope Pg => (PostgresScope)Scope;

    protected override void ShouldBeAppendOnlyRefusal(DbException ex)
    {
        var pg = ex.Should().BeOfType<PostgresException>().Subject;
        pg.SqlState.Should().Be(PostgresErrorCodes.RestrictViolation);
        pg.MessageText.Should().StartWith("log_entries is append-only");
    }

    protected override void ShouldBeDuplicateSeqRefusal(Exception ex)
    {
        var pg = ex.Should().BeOfType<PostgresException>().Subject;
        pg.SqlState.Should().Be(PostgresErrorCodes.UniqueViolation);
        pg.ConstraintName.Should().Be("log_entries_pkey");
    }

    [Fact]
    public async Task RawSql_Truncate_IsRefusedByTheDatabase()
    {
        var entries = Chain.Sample(applications: 2);
        await Store.AppendCommittedAsync(entries, Ct);

        var error = await ExecuteRawAsync("TRUNCATE log_entries");

        error.Should().NotBeNull();
        ShouldBeAppendOnlyRefusal(error!);
        (await Store.ReadAllAsync(Ct)).ShouldBeSameEntries(entries);
    }

    [Theory]
    [InlineData("log_entries", "SELECT", true)]
    [InlineData("log_entries", "INSERT", true)]
    [InlineData("log_entries", "UPDATE", false)]
    [InlineData("log_entries", "DELETE", false)]
    [InlineData("log_entries", "TRUNCATE", false)]
    [InlineData("log_entries", "TRIGGER", false)]
    [InlineData("private_records", "UPDATE", true)]
    [InlineData("private_records", "DELETE", false)]
    [InlineData("signal_explanations", "UPDATE", true)]
    [InlineData("signal_explanations", "DELETE", false)]
    public async Task KqAppRole_HasOnlyTheGrantedPrivileges(string table, string privilege, bool expected)
    {
        (await ScalarRawAsync("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'kq_app'"))
            .Should().Be(false, "kq_app exists and is a group role: the service logs in as a member");

        var granted = await ScalarRawAsync($"SELECT has_table_privilege('kq_app', '{Pg.Schema}.{table}', '{privilege}')");

        granted.Should().Be(expected, "kq_app {0} on {1}", privilege, table);
    }

    [Fact]
    public async Task KqAppMember_ChangingTheLog_IsDeniedPermission()
    {
        var entries = Chain.Sample(applications: 3);
        await Store.AppendCommittedAsync(entries[..7], Ct);
        var login = "kq_login_" + RandomNumberGenerator.GetHexString(8, lowercase: true);
        await ExecuteRawAsync($"CREATE ROLE {login} LOGIN IN ROLE kq_app");
        try
        {
            var asApp = new NpgsqlConnectionStringBuilder(Pg.ConnectionString) { Username = login, Pooling = false }.ConnectionString;
            await using (var connection = new NpgsqlConnection(asApp))
            {
                await connection.OpenAsync(Ct);
                await using (var count = new NpgsqlCommand("SELECT COUNT(*) FROM log_entries", connection))
                    (await count.ExecuteScalarAsync(Ct)).Should().Be(7L, "the service reads the log");

                foreach (var sql in new[] { "UPDATE log_entries SET actor = 'staff:forged' WHERE seq = 0", "DELETE FROM log_entries WHERE seq = 6", "TRUNCATE log_entries" })
                {
                    await using var command = new NpgsqlCommand(sql, connection);
                    var act = () => command.ExecuteNonQueryAsync(Ct);
                    var denied = await act.Should().ThrowAsync<PostgresException>(sql);
                    denied.Which.SqlState.Should().Be(PostgresErrorCodes.InsufficientPrivilege, sql);
                    denied.Which.MessageText.Should().Be("permission denied for table log_entries");
                }
            }

            // ...and it appends through the store as the service does.
            await using (var appStore = new PostgresLogStore(asApp))
            {
                await appStore.AppendCommittedAsync(entries[7..], Ct, responses: [new StoredResponse("parent:pa-19c2e0:1", 7, [1])]);
            }
            (await Store.ReadAllAsync(Ct)).ShouldBeSameEntries(entries);
        }
        finally
        {
            await ExecuteRawAsync($"DROP ROLE IF EXISTS {login}");
        }
    }

    [Theory]
    [InlineData("payload")]
    [InlineData("prev")]
    [InlineData("hash")]
    public async Task LogColumns_HoldBytesAsBytea_NeverJson(string column)
    {
        var type = await ScalarRawAsync(
            $"SELECT data_type FROM information_schema.columns WHERE table_schema = '{Pg.Schema}' AND table_name = 'log_entries' AND column_name = '{column}'");

        type.Should().Be("bytea");
    }
}
