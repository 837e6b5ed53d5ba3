using KinderQueue.Api.Tests.Support;

namespace KinderQueue.Api.Tests;

/// <summary>
/// The API test suite, run once per storage backend (SqliteApiTests, PostgresApiTests). Each
/// subclass gets its own service and database through its class fixture; the tests of a class
/// run one after another and each works in its own districts and kindergartens.
/// </summary>
public abstract partial class ApiSuite(ApiFixture fixture) : IAsyncLifetime
{
    protected ApiFixture F { get; } = Start(fixture);

    // xunit makes a new instance per test: errors logged by earlier tests of the class are theirs.
    private static ApiFixture Start(ApiFixture f)
    {
        f.Factory.Errors.Clear();
        return f;
    }

    protected Support.TestTokens T => F.Tokens;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Whatever a test did, the service logged no unhandled exception.</summary>
    public Task DisposeAsync()
    {
        F.Factory.Errors.Should().BeEmpty("the service must not log an unhandled exception");
        return Task.CompletedTask;
    }
}

public sealed class SqliteApiTests(SqliteFixture fixture) : ApiSuite(fixture), IClassFixture<SqliteFixture>;

// One PostgreSQL service at a time: a fixture's clean-up clears Npgsql's pools process-wide, which
// broke another PostgreSQL class still running beside it (the signals workflow suite).
[Trait("Category", "Postgres")]
[Collection(PostgresServices.Name)]
public sealed class PostgresApiTests(PostgresFixture fixture) : ApiSuite(fixture), IClassFixture<PostgresFixture>;

/// <summary>The test classes that each run a service on PostgreSQL: one after another, never side by side.</summary>
public static class PostgresServices
{
    public const string Name = "PostgreSQL services";
}
