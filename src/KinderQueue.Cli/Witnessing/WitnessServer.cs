using System.Security.Cryptography;
using KinderQueue.Core.Log;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KinderQueue.Cli.Witnessing;

/// <summary>
/// A running witness (c2sp.org/tlog-witness) over HTTP: POST /add-checkpoint cosigns a checkpoint
/// consistent with what it cosigned before, GET /&lt;hex SHA-256 of the origin&gt;/checkpoint serves the
/// latest cosigned one. The decision is <see cref="Core.Log.Witness.Decide"/>; deciding and persisting
/// happen under one lock, so two requests cannot roll the stored size back (the race the spec describes).
/// </summary>
public sealed class WitnessServer : IAsyncDisposable
{
    /// <summary>A request body is a size line, at most 63 hashes and a note: far below this.</summary>
    private const int MaxBody = 64 * 1024;

    private readonly WebApplication _app;
    private readonly Cosignature.Signer _signer;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<SignedNote.VerifierKey>> _logs;
    private readonly WitnessStateFile _state;
    private readonly Func<DateTimeOffset> _clock;
    private readonly Lock _deciding = new();

    private WitnessServer(WebApplication app, Cosignature.Signer signer, IReadOnlyList<SignedNote.VerifierKey> logKeys, WitnessStateFile state, Func<DateTimeOffset> clock)
    {
        _app = app;
        _signer = signer;
        // The log's key name is its origin (c2sp.org/tlog-checkpoint: the usual convention, and KinderQueue's).
        _logs = logKeys.GroupBy(k => k.KeyName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyList<SignedNote.VerifierKey>)[.. g], StringComparer.Ordinal);
        _state = state;
        _clock = clock;
    }

    public Cosignature.Signer Signer => _signer;

    /// <summary>The address it listens on, e.g. http://127.0.0.1:40123 (the real port when 0 was asked for).</summary>
    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public static async Task<WitnessServer> StartAsync(string listen, Cosignature.Signer signer, IReadOnlyList<SignedNote.VerifierKey> logKeys, WitnessStateFile state,
        Func<DateTimeOffset>? clock = null, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://{listen}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBody);
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        var server = new WitnessServer(app, signer, logKeys, state, clock ?? (() => DateTimeOffset.UtcNow));
        app.MapPost("/add-checkpoint", server.AddCheckpointAsync);
        app.MapGet("/{originHash}/checkpoint", server.Checkpoint);
        await app.StartAsync(ct).ConfigureAwait(false);
        return server;
    }

    public Task WaitForShutdownAsync(CancellationToken ct) => _app.WaitForShutdownAsync(ct);

    private async Task<IResult> AddCheckpointAsync(HttpRequest request)
    {
        byte[] body;
        using (var buffer = new MemoryStream())
        {
            try
            {
                await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted).ConfigureAwait(false);
            }
            catch (BadHttpRequestException ex)
            {
                return Results.Problem(statusCode: ex.StatusCode, title: "Request body refused", detail: ex.Message);
            }
            body = buffer.ToArray();
        }
        var parsed = AddCheckpointRequest.Parse(body);
        if (!parsed.Success) return Results.Problem(statusCode: 400, title: "Malformed add-checkpoint request", detail: parsed.Problems[0].Message);

        WitnessVerdict verdict;
        lock (_deciding)
        {
            var now = (ulong)Math.Max(1, _clock().ToUnixTimeSeconds());
            verdict = Core.Log.Witness.Decide(parsed.Value!, _logs, _state.Get, _signer, now);
            if (verdict.Accepted)
            {
                var note = parsed.Value!.Note;
                _state.Put(verdict.Origin!, verdict.Record!, [.. note, .. System.Text.Encoding.UTF8.GetBytes(verdict.Body)]);
            }
        }
        if (verdict.Accepted || verdict.Status == 409) return Results.Text(verdict.Body, verdict.ContentType, statusCode: verdict.Status);
        return Results.Problem(statusCode: verdict.Status, title: "Checkpoint not cosigned", detail: verdict.Body.TrimEnd('\n'));
    }

    private IResult Checkpoint(string originHash)
    {
        var origin = _state.Origins.FirstOrDefault(o => Core.Log.Hex.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(o))) == originHash);
        if (origin is null) return Results.Problem(statusCode: 404, title: "Unknown log", detail: "This witness has cosigned no checkpoint of a log with that origin hash.");
        lock (_deciding) return Results.Bytes(_state.Note(origin)!, "text/plain; charset=utf-8");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
