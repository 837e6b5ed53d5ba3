namespace KinderQueue.Api.Federal;

/// <summary>
/// The link to the federal portal (section "FederalPortal"; environment variables FederalPortal__BaseUrl
/// and so on). deploy/CONFIGURATION.md lists every setting, deploy/FEDERAL-PORTAL.md the contract.
/// </summary>
public sealed class FederalPortalOptions
{
    public const string Section = "FederalPortal";

    /// <summary>
    /// Where the portal takes status updates (POST {BaseUrl}status-updates). When empty nothing is sent:
    /// updates still go into the outbox and wait, so setting it later sends everything owed.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>Bearer token the region presents to the portal on every status update.</summary>
    public string? Token { get; set; }

    /// <summary>How long one send may take before it counts as failed.</summary>
    public int AttemptTimeoutMs { get; set; } = 5000;

    /// <summary>Retries of one send (with exponential back-off and jitter) before the worker waits and starts again.</summary>
    public int Retries { get; set; } = 3;

    /// <summary>The first retry's median delay; later ones grow exponentially, with jitter.</summary>
    public int RetryDelayMs { get; set; } = 200;

    /// <summary>Share of failed sends, within the sampling window, that opens the circuit.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Sends within the sampling window before the breaker judges at all.</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    /// <summary>The breaker's sampling window.</summary>
    public int BreakerSamplingMs { get; set; } = 30_000;

    /// <summary>How long the circuit stays open before one trial send (half-open).</summary>
    public int BreakMs { get; set; } = 30_000;

    /// <summary>How often the worker looks for owed updates when it has none, and waits after a failed pass.</summary>
    public int PollIntervalMs { get; set; } = 1000;

    /// <summary>Owed updates read per pass, oldest first.</summary>
    public int BatchSize { get; set; } = 100;
}
