using System.Collections.Concurrent;
using KinderQueue.Api.Auth;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KinderQueue.Api.Tests.Support;

/// <summary>
/// The service under test, in memory, with configuration overrides only: its own data folder
/// (SQLite file, token key, pseudonym key) and, for PostgreSQL, a connection string.
/// </summary>
public sealed class KinderQueueFactory(string dataDir, string? postgres, IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    /// <summary>A smaller body limit than the default, so the test shows the setting is what applies.</summary>
    public const long MaxRequestBytes = 64 * 1024;

    public string DataDir { get; } = dataDir;

    /// <summary>Log lines at Error or above (an unhandled exception is logged there).</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>Every line the service logs, at any level: the service's own log must not hold personal data either.</summary>
    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>Replaces services after the service's own registrations (a test's hold on the store, say).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (TestServices is { } replace) builder.ConfigureTestServices(replace);
        builder.UseSetting("KinderQueue:DataDir", DataDir);
        builder.UseSetting("KinderQueue:Authority", "");
        builder.UseSetting("KinderQueue:PostgresConnectionString", postgres ?? "");
        builder.UseSetting("KinderQueue:MaxRequestBytes", MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // The suite sends up to ~400 submissions at once to test the appender's exactly-once, not
        // admission control (AdmissionControlTests and the launch-day burst test that): room for all.
        builder.UseSetting("KinderQueue:WriteConcurrency", "1024");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
        builder.ConfigureLogging(l =>
        {
            l.ClearProviders();
            l.SetMinimumLevel(LogLevel.Trace);
            l.AddProvider(new CollectingLoggerProvider(Errors, Lines));
        });
    }
}

/// <summary>
/// One running service per test class (xunit class fixture). Subclasses choose the backend.
/// Tests of one class run one after another, so they share the region; each test registers
/// its own districts and kindergartens, so what one test does cannot change another's outcome.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes the fixture through IAsyncLifetime.DisposeAsync.")]
public abstract class ApiFixture : IAsyncLifetime
{
    private KinderQueueFactory? _factory;
    private string? _connection;

    public string DataDir { get; } = Directory.CreateTempSubdirectory("kq-api-tests-").FullName;

    public KinderQueueFactory Factory => _factory ?? throw new InvalidOperationException("The fixture is not started.");
    public IServiceProvider Services => Factory.Services;
    public ILogStore Store => Services.GetRequiredService<ILogStore>();
    public LiveLog Log => Services.GetRequiredService<LiveLog>();
    public Pseudonyms Pseudonyms => Services.GetRequiredService<Pseudonyms>();
    public HttpClient Client { get; private set; } = null!;
    public TestTokens Tokens { get; private set; } = null!;

    /// <summary>"sqlite" or "postgres": what /readyz must report.</summary>
    public abstract string Backend { get; }

    /// <summary>The version id of the criteria published at start.</summary>
    public string CriteriaVersion { get; private set; } = "";

    protected abstract Task<string?> CreateDatabaseAsync();

    /// <summary>Configuration a fixture sets beyond the defaults (a lower rate limit, say).</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    protected virtual Task DropDatabaseAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        var connection = _connection = await CreateDatabaseAsync();
        _factory = new KinderQueueFactory(DataDir, connection, Settings);
        Client = _factory.CreateDefaultClient(new ServerErrorGuard());
        Tokens = new TestTokens(DataDir);
        CriteriaVersion = await Region.PublishCriteriaAsync(this);
    }

    /// <summary>
    /// Stops the service and starts a new one on the same data folder and database, as after a
    /// crash or a deploy; returns as soon as the host has started (the public side may still be folding).
    /// </summary>
    public async Task RestartAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        _factory = new KinderQueueFactory(DataDir, _connection, Settings);
        Client = _factory.CreateDefaultClient(new ServerErrorGuard());
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        await DropDatabaseAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}

public sealed class SqliteFixture : ApiFixture
{
    public override string Backend => "sqlite";
    protected override Task<string?> CreateDatabaseAsync() => Task.FromResult<string?>(null);
}

/// <summary>A fresh database per test class on the server named by KQ_TEST_POSTGRES; dropped at the end.</summary>
public sealed class PostgresFixture : ApiFixture
{
    private readonly PostgresDatabase _database = new();

    public override string Backend => "postgres";

    protected override Task<string?> CreateDatabaseAsync() => _database.CreateAsync();

    protected override Task DropDatabaseAsync() => _database.DropAsync();
}

/// <summary>A throwaway database on the server named by KQ_TEST_POSTGRES, for any fixture.</summary>
public sealed class PostgresDatabase
{
    private string? _admin;
    private string? _database;

    public async Task<string?> CreateAsync()
    {
        _admin = Environment.GetEnvironmentVariable("KQ_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(_admin))
            throw new InvalidOperationException(
                "KQ_TEST_POSTGRES is not set: start a server with `eval \"$(bash tests/postgres-cluster.sh start)\"` or filter out Category=Postgres.");
        _database = "kq_api_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
        await using (var connection = new Npgsql.NpgsqlConnection(_admin))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand($"CREATE DATABASE {_database}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new Npgsql.NpgsqlConnectionStringBuilder(_admin) { Database = _database }.ConnectionString;
    }

    public async Task DropAsync()
    {
        if (_admin is null || _database is null) return;
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var connection = new Npgsql.NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>Turns any 5xx, and any refusal that shows exception text, into an immediate test failure naming the request.</summary>
public sealed class ServerErrorGuard : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode) return response;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if ((int)response.StatusCode >= 500)
            throw new InvalidOperationException($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {body}");
        if (body.Contains("   at ", StringComparison.Ordinal) || body.Contains("Exception", StringComparison.Ordinal))
            throw new InvalidOperationException($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode} with exception text: {body}");
        return response;
    }
}

internal sealed class CollectingLoggerProvider(ConcurrentQueue<string> errors, ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Collector(categoryName, errors, lines);

    public void Dispose()
    {
    }

    private sealed class Collector(string category, ConcurrentQueue<string> errors, ConcurrentQueue<string> lines) : ILogger
    {
        // Kept to a bounded number of lines: a test class runs thousands of requests.
        private const int MaxLines = 200_000;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{category}: {formatter(state, exception)} {exception}";
            if (lines.Count < MaxLines) lines.Enqueue(line);
            if (logLevel >= LogLevel.Error) errors.Enqueue(line);
        }
    }
}
