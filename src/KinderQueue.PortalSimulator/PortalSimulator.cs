using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KinderQueue.PortalSimulator;

/// <summary>
/// A local federal portal for tests and the demo, on 127.0.0.1 only. It takes status updates
/// (POST /status-updates, deploy/FEDERAL-PORTAL.md) and keeps each idempotency key once, counting
/// repeats, as the real portal is required to; and it pushes applications to a region, each as many
/// times as asked. Its faults are set at any moment: down, slow, failing a share of calls with 503,
/// hanging past the caller's timeout, or answering garbage (both after storing, the worst case: the
/// portal has the update but the region cannot know).
/// </summary>
public sealed class PortalSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ReceivedUpdate> _received = new(StringComparer.Ordinal);
    private readonly Lock _randomLock = new();
    private readonly Random _random;
    private readonly string? _token;
    private long _calls;
    private long _repeats;
    private long _injected;

    private PortalSimulator(WebApplication app, int seed, string? token)
    {
        _app = app;
        _random = new Random(seed);
        _token = token;
    }

    /// <summary>Where the region sends status updates: set FederalPortal:BaseUrl to this.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>While true every call gets 503, as a portal in maintenance.</summary>
    public bool Down { get; set; }

    /// <summary>Share of calls refused with 503 before anything is stored.</summary>
    public double FailureRate { get; set; }

    /// <summary>Share of calls stored, then held for <see cref="Hang"/> before a 504 (the caller times out first).</summary>
    public double TimeoutRate { get; set; }

    /// <summary>Share of calls stored, then answered with a 200 that is not the confirmation.</summary>
    public double GarbageRate { get; set; }

    /// <summary>Added to every call: a slow portal.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>How long a "timeout" call is held.</summary>
    public TimeSpan Hang { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Updates received, once per idempotency key.</summary>
    public IReadOnlyDictionary<string, ReceivedUpdate> Received => _received;

    /// <summary>Calls to /status-updates, of any outcome.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Updates received again under a key already stored (dropped, as the portal must).</summary>
    public long Repeats => Interlocked.Read(ref _repeats);

    /// <summary>Faults injected (503, hang, garbage), not counting <see cref="Down"/>.</summary>
    public long FaultsInjected => Interlocked.Read(ref _injected);

    /// <summary>Starts on 127.0.0.1:<paramref name="port"/> (0: a free port). With a token, calls without it get 401.</summary>
    public static async Task<PortalSimulator> StartAsync(int port = 0, int seed = 1, string? token = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var simulator = new PortalSimulator(app, seed, token);
        app.MapPost("/status-updates", (Func<HttpContext, Task<IResult>>)simulator.StatusUpdateAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetService(typeof(IServer)) is IServer server
            ? server.Features.Get<IServerAddressesFeature>()!.Addresses.First()
            : throw new InvalidOperationException("No server.");
        simulator.BaseAddress = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
        return simulator;
    }

    private async Task<IResult> StatusUpdateAsync(HttpContext http)
    {
        Interlocked.Increment(ref _calls);
        var aborted = http.RequestAborted;
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, aborted).ConfigureAwait(false);
        if (_token is not null && http.Request.Headers.Authorization.ToString() != "Bearer " + _token) return Results.StatusCode(401);
        if (Down) return Results.StatusCode(503);
        var roll = Roll();
        if (roll < FailureRate)
        {
            Interlocked.Increment(ref _injected);
            return Results.StatusCode(503);
        }
        ReceivedUpdate? update;
        try
        {
            update = await JsonSerializer.DeserializeAsync<ReceivedUpdate>(http.Request.Body, JsonSerializerOptions.Web, aborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return Results.BadRequest(new { error = "not JSON" });
        }
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (update is null || string.IsNullOrEmpty(key) || update.Key != key || string.IsNullOrEmpty(update.PortalId) || string.IsNullOrEmpty(update.Status))
            return Results.BadRequest(new { error = "an update needs an Idempotency-Key header equal to its 'key', a 'portalId' and a 'status'" });
        var repeat = !_received.TryAdd(key, update);
        if (repeat) Interlocked.Increment(ref _repeats);
        if (roll < FailureRate + TimeoutRate)
        {
            Interlocked.Increment(ref _injected);
            await Task.Delay(Hang, aborted).ConfigureAwait(false);
            return Results.StatusCode(504);
        }
        if (roll < FailureRate + TimeoutRate + GarbageRate)
        {
            Interlocked.Increment(ref _injected);
            return Results.Text("<html><body>Сервис временно недоступен</body></html>", "text/html");
        }
        return Results.Ok(new { key, duplicate = repeat });
    }

    private double Roll()
    {
        lock (_randomLock) return _random.NextDouble();
    }

    /// <summary>
    /// Pushes one application to the region (POST api/v1/federal/applications) <paramref name="copies"/>
    /// times, as a portal that lost the first answer sends again; returns every answer's status code.
    /// </summary>
    public static async Task<IReadOnlyList<HttpStatusCode>> PushApplicationAsync(HttpClient region, JsonObject application, int copies = 2,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(region);
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < copies; i++)
        {
            using var response = await region.PostAsJsonAsync("api/v1/federal/applications", application, ct).ConfigureAwait(false);
            codes.Add(response.StatusCode);
        }
        return codes;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A status update as the portal stores it.</summary>
public sealed record ReceivedUpdate(string Key, string PortalId, string Status, string? Kindergarten, string? Group, string? Deadline, string? At, long Seq);
