using System.Net;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Storage.Appending;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static KinderQueue.Api.Tests.Support.Region;

namespace KinderQueue.Api.Tests;

/// <summary>A service whose lookups are not rate limited: these tests look up every application they made.</summary>
public sealed class UnlimitedLookupsFixture : ApiFixture
{
    public override string Backend => "sqlite";

    protected override Task<string?> CreateDatabaseAsync() => Task.FromResult<string?>(null);

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["KinderQueue:LookupsPerMinute"] = "100000",
    };
}

/// <summary>
/// Ready means ready (issue 15, fault 2): an instance that answers /readyz 200 serves every public
/// answer for what it acknowledged — after a restart, before its public side has folded the log,
/// and right after a 201, before the public side has seen the entry.
/// </summary>
public sealed class ReadinessTests(UnlimitedLookupsFixture f) : IClassFixture<UnlimitedLookupsFixture>
{
    private Task<HttpResponseMessage> LookupAsync(string path, Submitted s) =>
        f.SendAsync(HttpMethod.Post, "/api/v1/public" + path, null, Http.Json(new { number = s.Number, accessCode = s.AccessCode }));

    [Fact]
    public async Task A_lookup_right_after_the_201_finds_the_application()
    {
        await AreaAsync(f, "rd-d", "rd-a");
        for (var i = 0; i < 40; i++)
        {
            var mine = await SubmitAsync(f, f.Tokens.Operator, Submission("rd-d", ["rd-a"]));
            // No SyncAsync: the parent looks at once, as the site does after submitting.
            (await LookupAsync("/positions", mine)).StatusCode.Should().Be(HttpStatusCode.OK, $"application {i} was acknowledged");
        }
    }

}

/// <summary>
/// The demo region (a year of history, about 22,800 entries), restarted: its public side takes a moment to fold the log
/// and build the first snapshot, which is when an instance used to say ready too early (receipts 404,
/// positions 503 for seconds after a restart).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes the test through IAsyncLifetime.DisposeAsync.")]
public sealed class RestartReadinessTests : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("kq-restart-").FullName;
    private KinderQueueFactory? _factory;

    public async Task InitializeAsync()
    {
        _factory = new KinderQueueFactory(_dataDir, postgres: null, new Dictionary<string, string> { ["KinderQueue:LookupsPerMinute"] = "100000" });
        var services = _factory.Services;
        await Demo.DemoRegion.PopulateAsync(services.GetRequiredService<LiveLog>(), services.GetRequiredService<NodaTime.IClock>(), _dataDir,
            services.GetRequiredService<ILoggerFactory>().CreateLogger<RestartReadinessTests>(), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    [Fact]
    public async Task After_a_restart_ready_means_every_acknowledged_application_answers()
    {
        // The demo's applications worth a look, with their access codes (number, code, status, note per line).
        var picks = File.ReadAllLines(Path.Combine(_dataDir, Demo.DemoRegion.FileName))
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => (Number: p[0], Code: p[1])).ToList();
        picks.Should().NotBeEmpty();

        await _factory!.DisposeAsync();
        _factory = new KinderQueueFactory(_dataDir, postgres: null, new Dictionary<string, string> { ["KinderQueue:LookupsPerMinute"] = "100000" });
        // No ServerErrorGuard: a 503 from /readyz is the expected answer until the instance is ready.
        using var client = _factory.CreateDefaultClient();
        // Poll readiness as a load balancer does, and use the instance the moment it says ready.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
            if (ready.StatusCode == HttpStatusCode.OK) break;
            ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            DateTime.UtcNow.Should().BeBefore(deadline, "the restarted service becomes ready");
            await Task.Delay(5);
        }
        foreach (var (number, code) in picks)
        {
            foreach (var path in new[] { "/api/v1/public/positions", "/api/v1/public/receipts" })
            {
                using var answer = await client.PostAsync(new Uri(path, UriKind.Relative), Http.Json(new { number, accessCode = code }));
                answer.StatusCode.Should().Be(HttpStatusCode.OK, $"{path} of {number}: acknowledged before the restart, and the instance said ready");
            }
        }
    }
}
