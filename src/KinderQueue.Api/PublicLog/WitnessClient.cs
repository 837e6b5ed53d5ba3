using System.Collections.Immutable;
using System.Globalization;
using KinderQueue.Api.Hosting;
using KinderQueue.Core.Log;
using KinderQueue.Storage;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace KinderQueue.Api.PublicLog;

/// <summary>
/// One configured witness: submits checkpoints to its add-checkpoint endpoint (c2sp.org/tlog-witness)
/// with a consistency proof from the last size it cosigned, through a timeout, retries with jitter and
/// a circuit breaker, and keeps only cosignatures that verify under its configured key.
/// </summary>
public sealed class WitnessClient
{
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _circuit = new();

    /// <summary>The size the witness last cosigned as far as we know; null until read from the database.</summary>
    private long? _known;

    public WitnessClient(WitnessOptions options, HttpClient http, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        var key = CosignerKey.Parse(options.VerifierKey);
        if (!key.Success) throw new InvalidOperationException($"KinderQueue:Witnesses: '{options.VerifierKey}' is not a witness key: {key.Problems[0].Message}");
        if (!Uri.TryCreate(options.Url.TrimEnd('/') + "/add-checkpoint", UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"KinderQueue:Witnesses: '{options.Url}' is not an http(s) URL.");
        Key = key.Value!;
        _endpoint = endpoint;
        _http = http;
        var down = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutRejectedException>().Handle<WitnessUnavailableException>();
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System }
            // Outermost: retries of a down witness, spread out so that replicas do not retry in step.
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = down,
                MaxRetryAttempts = 2,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(Math.Max(1, options.RetryDelayMs)),
            })
            // Checkpoints are rare, so a few failures in a minute are enough to stop asking for a while.
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = down,
                FailureRatio = 0.5,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromMinutes(1),
                BreakDuration = TimeSpan.FromSeconds(Math.Max(1, options.BreakSeconds)),
                StateProvider = _circuit,
            })
            .AddTimeout(TimeSpan.FromMilliseconds(Math.Max(1, options.TimeoutMs)))
            .Build();
    }

    public CosignerKey Key { get; }

    /// <summary>The witness's name, the tag of its metrics.</summary>
    public string Name => Key.Name;

    public CircuitState Circuit => _circuit.CircuitState;

    public bool CircuitOpen => Circuit is CircuitState.Open or CircuitState.HalfOpen or CircuitState.Isolated;

    /// <summary>Whether the witness still has to cosign the checkpoint of <paramref name="size"/>.</summary>
    public bool Behind(long size) => _known is not { } k || k < size;

    /// <summary>
    /// Submits <paramref name="checkpoint"/> and returns the verified cosignature to store, or null with
    /// the reason counted and logged. Never throws for a witness's failure; cancellation only ends it.
    /// </summary>
    public async Task<StoredCosignature?> SubmitAsync(PublishedCheckpoint checkpoint, IMerkleTreeReader tree, ILogStore store, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(store);
        var size = checkpoint.Checkpoint.Size;
        _known ??= await store.LatestCosignedSizeAsync(Key.VerifierKey, ct).ConfigureAwait(false);
        if (checkpoint.Note is null || size > tree.Count) return null;
        try
        {
            // A 409 tells the size the witness has (another replica submitted, or its state is older):
            // send again once from there.
            for (var attempt = 0; attempt < 2; attempt++)
            {
                var old = _known.Value;
                if (old > size) return null;
                var proof = old == 0 ? ImmutableArray<byte[]>.Empty : tree.ConsistencyProof(old, size);
                var body = new AddCheckpointRequest(old, proof, checkpoint.Note).Format();
                var answer = await _pipeline.ExecuteAsync(async token => await PostAsync(body, token).ConfigureAwait(false), ct).ConfigureAwait(false);
                if (answer.Status == 409 && TryReadSize(answer.Body, out var theirs) && attempt == 0)
                {
                    _known = theirs;
                    continue;
                }
                if (answer.Status != 200)
                {
                    WitnessTelemetry.Count(Name, "refused");
                    // A witness that refuses a consistent log is worth a look: it may have seen another tree of it.
                    logger.LogError("Witness {Witness} refused the checkpoint of {Size} entries from {Old}: {Status} {Body}", Name, size, old, answer.Status, Truncate(answer.Body));
                    return null;
                }
                var cosignature = Verify(checkpoint.Note, answer.Body, size);
                if (cosignature is null)
                {
                    WitnessTelemetry.Count(Name, "failed");
                    logger.LogWarning("Witness {Witness} answered without a valid cosignature of its configured key for {Size} entries", Name, size);
                    return null;
                }
                _known = size;
                WitnessTelemetry.Count(Name, "ok");
                return cosignature;
            }
            WitnessTelemetry.Count(Name, "refused");
            return null;
        }
        catch (BrokenCircuitException)
        {
            WitnessTelemetry.Count(Name, "circuit_open");
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or WitnessUnavailableException)
        {
            WitnessTelemetry.Count(Name, "failed");
            logger.LogWarning("Witness {Witness} is unreachable for the checkpoint of {Size} entries: {Error}", Name, size, ex.Message);
            return null;
        }
    }

    private async Task<WitnessAnswer> PostAsync(byte[] body, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        using var response = await _http.PostAsync(_endpoint, content, ct).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (status >= 500 || status == 429) throw new WitnessUnavailableException($"HTTP {status}");
        // Answers are a few signature lines; a larger one is not a witness's.
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        return new WitnessAnswer(status, text.Length > 16 * 1024 ? text[..(16 * 1024)] : text);
    }

    /// <summary>The answer's line that is a valid cosignature of the configured key; lines of other keys are ignored.</summary>
    private StoredCosignature? Verify(byte[] note, string lines, long size)
    {
        if (!lines.EndsWith('\n')) return null;
        foreach (var line in lines[..^1].Split('\n'))
        {
            // Each line read as the note's one more signature: what a validator will read.
            var parsed = SignedNote.Parse([.. note, .. System.Text.Encoding.UTF8.GetBytes(line + "\n")]);
            if (!parsed.Success) return null;
            var n = parsed.Value!;
            if (Key.Verify(n.Text, n.Signatures[^1]) is { } time) return new StoredCosignature(size, Key.VerifierKey, line, (long)time);
        }
        return null;
    }

    private static bool TryReadSize(string body, out long size) =>
        long.TryParse(body.TrimEnd('\n'), NumberStyles.None, CultureInfo.InvariantCulture, out size);

    private static string Truncate(string s) => s.Length > 200 ? s[..200] : s.TrimEnd('\n');

    private sealed record WitnessAnswer(int Status, string Body);
}

/// <summary>A witness answered 5xx or 429: down for now, worth a retry later.</summary>
public sealed class WitnessUnavailableException(string message) : Exception(message);
