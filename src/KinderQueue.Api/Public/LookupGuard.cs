using System.Net;
using System.Threading.RateLimiting;
using KinderQueue.Api.Hosting;

namespace KinderQueue.Api.Public;

/// <summary>
/// Rate limits of the public lookups (position and receipt), per client address. Two budgets: all
/// lookups (a parent refreshing a page fits easily; a crawler does not), and failed lookups, the
/// only thing that helps someone guessing access codes: after a few wrong guesses the client waits.
/// Behind a reverse proxy configure forwarded headers, or every parent shares the proxy's budget.
/// </summary>
public sealed class LookupGuard : IDisposable
{
    private readonly PartitionedRateLimiter<string> _lookups;
    private readonly PartitionedRateLimiter<string> _failures;

    public LookupGuard(KinderQueueOptions options)
    {
        var perMinute = Math.Max(1, options.LookupsPerMinute);
        _lookups = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = perMinute,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }), StringComparer.Ordinal);
        _failures = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, options.FailedLookupsPerWindow),
            Window = TimeSpan.FromMinutes(Math.Max(1, options.FailedLookupWindowMinutes)),
            QueueLimit = 0,
            AutoReplenishment = true,
        }), StringComparer.Ordinal);
    }

    public static string ClientOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? IPAddress.None.ToString();

    /// <summary>
    /// Null when the client may look up now; otherwise how long to wait. A client out of failed-lookup
    /// budget may not look up at all until the window ends, right code or not.
    /// </summary>
    public TimeSpan? Admit(string client)
    {
        if (_failures.GetStatistics(client)?.CurrentAvailablePermits is 0) return RetryAfter(_failures, client);
        using var lease = _lookups.AttemptAcquire(client);
        return lease.IsAcquired ? null : RetryAfterOf(lease) ?? TimeSpan.FromMinutes(1);
    }

    /// <summary>Spends one failed-lookup permit of the client.</summary>
    public void Failed(string client)
    {
        using var _ = _failures.AttemptAcquire(client);
    }

    private static TimeSpan RetryAfter(PartitionedRateLimiter<string> limiter, string client)
    {
        using var lease = limiter.AttemptAcquire(client, 0);
        return RetryAfterOf(lease) ?? TimeSpan.FromMinutes(1);
    }

    private static TimeSpan? RetryAfterOf(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : null;

    public void Dispose()
    {
        _lookups.Dispose();
        _failures.Dispose();
    }
}
