using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using KinderQueue.Core.Encoding;
using KinderQueue.Storage.Federal;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace KinderQueue.Api.Federal;

/// <summary>
/// Sends one status update to the portal (deploy/FEDERAL-PORTAL.md, "Status updates"): POST
/// {BaseUrl}status-updates with the update's idempotency key as a header and in the body. The portal
/// confirms with a JSON body naming the same key; anything else in a 2xx (an empty page, HTML, another
/// key) is garbage and counts as a failure, since nothing says the portal stored the update.
/// </summary>
public sealed class PortalClient(HttpClient http, FederalPortalOptions options)
{
    public const string Path = "status-updates";

    /// <summary>Delivered or refused for good; throws <see cref="PortalSendException"/> for anything worth retrying.</summary>
    public async Task<FederalOutcome> SendAsync(FederalDelivery update, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(update);
        using var request = new HttpRequestMessage(HttpMethod.Post, Path)
        {
            Content = JsonContent.Create(PortalStatusMessage.From(update), options: JsonSerializerOptions.Web),
        };
        request.Headers.Add("Idempotency-Key", update.Key);
        if (!string.IsNullOrEmpty(options.Token)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            if (ConfirmedKey(body) == update.Key) return FederalOutcome.Delivered;
            throw new PortalSendException($"The portal answered {status} without confirming the update.");
        }
        // A refusal of this update itself will not change by sending it again; a busy or failing portal will.
        if (status is >= 400 and < 500 && response.StatusCode is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests))
            return FederalOutcome.Rejected;
        throw new PortalSendException($"The portal answered {status}.");
    }

    private static string? ConfirmedKey(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String
                ? key.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Timeout of each try (innermost), circuit breaker around it, retries with exponential back-off and
    /// jitter outside: a retry never goes through an open circuit (BrokenCircuitException is not retried),
    /// so a portal that is down costs one fast refusal per pass, not a retry storm.
    /// </summary>
    public static ResiliencePipeline Pipeline(FederalPortalOptions options, PortalLinkState link)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(link);
        var transient = new PredicateBuilder()
            .Handle<PortalSendException>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>();
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = Math.Max(1, options.Retries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(Math.Max(1, options.RetryDelayMs)),
                MaxDelay = TimeSpan.FromMilliseconds(Math.Max(options.RetryDelayMs, options.BreakMs)),
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = Math.Max(2, options.BreakerMinimumThroughput),
                SamplingDuration = TimeSpan.FromMilliseconds(Math.Max(500, options.BreakerSamplingMs)),
                BreakDuration = TimeSpan.FromMilliseconds(Math.Max(500, options.BreakMs)),
                OnOpened = _ =>
                {
                    link.Circuit = CircuitState.Open;
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    link.Circuit = CircuitState.HalfOpen;
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    link.Circuit = CircuitState.Closed;
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(TimeSpan.FromMilliseconds(Math.Max(1, options.AttemptTimeoutMs)))
            .Build();
    }
}

/// <summary>The portal did not confirm an update in a way worth retrying (5xx, 408, 429, garbage).</summary>
public sealed class PortalSendException(string message) : Exception(message);

/// <summary>The body of a status update, as deploy/FEDERAL-PORTAL.md documents it.</summary>
public sealed record PortalStatusMessage(string Key, string PortalId, string Status, string? Kindergarten, string? Group, string? Deadline, string At, long Seq)
{
    public static PortalStatusMessage From(FederalDelivery d) =>
        new(d.Key, d.PortalId, d.Status, d.Kindergarten, d.Group, d.Deadline, Formats.Format(d.At), d.Seq);
}
