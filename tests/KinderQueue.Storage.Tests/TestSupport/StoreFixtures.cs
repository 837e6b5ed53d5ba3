using System.Data.Common;
using System.Security.Cryptography;
using KinderQueue.Storage.Postgres;
using KinderQueue.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace KinderQueue.Storage.Tests.TestSupport;

/// <summary>
/// One per test class (xunit class fixture): owns the place where that class's logs live. Each test
/// asks for a <see cref="StoreScope"/>, a fresh empty log of its own, so tests neither see each other's
/// entries nor depend on their order, and a rerun starts from nothing.
/// </summary>
public interface IStoreFixture : IAsyncLifetime
{
    string Backend { get; }

    Task<StoreScope> NewScopeAsync(CancellationToken ct);
}

/// <summary>A fresh, empty log. Every store created from it (a restart, a second instance) shares that log.</summary>
public abstract class StoreScope : IAsyncDisposable
{
    private readonly List<ILogStore> _stores = [];

    /// <summary>A new store object over this scope's log; disposed with the scope.</summary>
    public ILogStore CreateStore()
    {
        var store = NewStore();
        lock (_stores) _stores.Add(store);
        return store;
    }

    /// <summary>A connection of our own to the same log, for SQL the store never runs (tampering, catalog queries).</summary>
    public abstract Task<DbConnection> OpenConnectionAsync(CancellationToken ct);

    protected abstract ILogStore NewStore();

    public virtual async ValueTask DisposeAsync()
    {
        ILogStore[] stores;
        lock (_stores) stores = [.. _stores];
        foreach (var store in stores) await store.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>SQLite: a temp folder per class, a sub-folder (one database file) per test.</summary>
public sealed class SqliteStoreFixture : IStoreFixture
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kq-storage-tests-" + RandomNumberGenerator.GetHexString(10, lowercase: true));

    public string Backend => "sqlite";

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return Task.CompletedTask;
    }

    public Task<StoreScope> NewScopeAsync(CancellationToken ct) =>
        Task.FromResult<StoreScope>(new SqliteScope(Path.Combine(_root, RandomNumberGenerator.GetHexString(10, lowercase: true))));

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; failing the run over it is not.
        }
        return Task.CompletedTask;
    }

    private sealed class SqliteScope(string folder) : StoreScope
    {
        public override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct)
        {
            var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "kinderqueue.db")};Pooling=False");
            await connection.OpenAsync(ct);
            return connection;
        }

        protected override ILogStore NewStore() => SqliteLogStore.InFolder(folder);
    }
}

/// <summary>
/// PostgreSQL: a fresh database per test class (CREATE DATABASE kq_test_&lt;random&gt; through the admin
/// connection in KQ_TEST_POSTGRES, DROP at dispose), and a fresh schema in it per test, which the
/// stores reach through their search path. Without KQ_TEST_POSTGRES every test of the class fails.
/// </summary>
public sealed class PostgresStoreFixture : IStoreFixture
{
    public const string EnvironmentVariable = "KQ_TEST_POSTGRES";

    private readonly string _database = "kq_test_" + RandomNumberGenerator.GetHexString(12, lowercase: true);
    private string? _admin;
    private string? _databaseConnectionString;

    public string Backend => "postgres";

    /// <summary>Connection string of this class's database (as the admin user, default search path).</summary>
    public string DatabaseConnectionString => _databaseConnectionString ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        _admin = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(_admin))
        {
            throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set. PostgreSQL tests need a server: eval \"$(bash tests/postgres-cluster.sh start)\" " +
                "(tests/run.sh filters Category=Postgres out only when no server can be started).");
        }
        await using (var connection = new NpgsqlConnection(_admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {_database}", connection);
            await create.ExecuteNonQueryAsync();
        }
        _databaseConnectionString = new NpgsqlConnectionStringBuilder(_admin) { Database = _database }.ConnectionString;
    }

    public async Task<StoreScope> NewScopeAsync(CancellationToken ct)
    {
        var schema = "s_" + RandomNumberGenerator.GetHexString(10, lowercase: true);
        await using (var connection = new NpgsqlConnection(DatabaseConnectionString))
        {
            await connection.OpenAsync(ct);
            // Like the public schema of a new database: everyone may use it, the tables decide the rest.
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}; GRANT USAGE ON SCHEMA {schema} TO PUBLIC", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
        var cs = new NpgsqlConnectionStringBuilder(DatabaseConnectionString) { SearchPath = schema }.ConnectionString;
        return new PostgresScope(cs, schema);
    }

    public async Task DisposeAsync()
    {
        if (_admin is null || _databaseConnectionString is null) return;
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>One test's schema in the class's PostgreSQL database.</summary>
public sealed class PostgresScope(string connectionString, string schema) : StoreScope
{
    public string ConnectionString { get; } = connectionString;

    public string Schema { get; } = schema;

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    protected override ILogStore NewStore() => new PostgresLogStore(ConnectionString);
}
