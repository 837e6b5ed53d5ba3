using System.Collections.Concurrent;
using System.Net;
using System.Threading.RateLimiting;
using KinderQueue.Api.Hosting;
using NodaTime;

namespace KinderQueue.Api.Public;

/// <summary>
/// Rate limits of the public lookups (position and receipt), per client address. Two budgets: all
/// lookups (a parent refreshing a page fits easily; a crawler does not), and failed lookups, the
/// only thing that helps someone guessing access codes: after a few wrong guesses the client waits.
/// Behind a reverse proxy configure forwarded headers, or every parent shares the proxy's budget.
/// <para>
/// Per address alone is not enough: 50 wrong codes on one number from 5 addresses, then the right one
/// from a 7th, got through (issue 17). So failures are also counted per application number, whoever
/// sends them. After <see cref="KinderQueueOptions.FailedLookupsPerNumber"/> failures on a number,
/// each further attempt on it must wait a delay that doubles with every further failure, from
/// <see cref="KinderQueueOptions.NumberDelaySeconds"/> up to <see cref="KinderQueueOptions.NumberMaxDelaySeconds"/>
/// (429 with Retry-After, the code not even checked). Why a delay and not a lock: a lock after N
/// failures would let any stranger who knows a number (it is on paper, in letters) lock its parent
/// out. A delay only slows: attempts refused during it are not failures and do not lengthen it, the
/// right code after it gets through (and forgets the failures), and the cap bounds the wait. It bounds
/// guessing at a number to a handful an hour against a ~59-bit code. A stranger who spends a wrong
/// guess each time a delay ends can keep one number's public lookup slow; the parent is then served
/// at a service centre, whose operators (accountable, authenticated) are limited per account, not by
/// the number's delay. Failures on a number are forgotten after <see cref="KinderQueueOptions.NumberFailureMemoryMinutes"/>
/// without one. Unknown numbers are counted like known ones, so a 429 says nothing about existence.
/// </para>
/// </summary>
public sealed class LookupGuard : IDisposable
{
    /// <summary>Numbers with failures remembered at most (about 100 bytes each); see <see cref="Remember"/>.</summary>
    public const int NumberCapacity = 100_000;

    private readonly PartitionedRateLimiter<string> _lookups;
    private readonly PartitionedRateLimiter<string> _failures;
    private readonly ConcurrentDictionary<string, NumberFailures> _numbers = new(StringComparer.Ordinal);
    private readonly IClock _clock;
    private readonly int _freePerNumber;
    private readonly Duration _delay;
    private readonly Duration _maxDelay;
    private readonly Duration _memory;

    private sealed record NumberFailures(int Count, Instant Last);

    public LookupGuard(KinderQueueOptions options, IClock clock)
    {
        _clock = clock;
        _freePerNumber = Math.Max(1, options.FailedLookupsPerNumber);
        _delay = Duration.FromSeconds(Math.Max(1, options.NumberDelaySeconds));
        _maxDelay = Duration.FromSeconds(Math.Max(options.NumberDelaySeconds, options.NumberMaxDelaySeconds));
        _memory = Duration.FromMinutes(Math.Max(1, options.NumberFailureMemoryMinutes));
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

    /// <summary>
    /// Null when the number may be tried now; otherwise how long until it may. Call before checking
    /// a code for the number (after <see cref="Admit"/>); a refusal here spends nothing.
    /// </summary>
    public TimeSpan? AdmitNumber(string number)
    {
        if (!_numbers.TryGetValue(number, out var f)) return null;
        var now = _clock.GetCurrentInstant();
        if (now - f.Last > _memory)
        {
            _numbers.TryRemove(KeyValuePair.Create(number, f));
            return null;
        }
        if (f.Count < _freePerNumber) return null;
        var open = f.Last + DelayAfter(f.Count);
        return now < open ? (open - now).ToTimeSpan() : null;
    }

    /// <summary>The wait after <paramref name="failures"/> failures: the base delay, doubled per failure past the free ones, capped.</summary>
    private Duration DelayAfter(int failures)
    {
        var doublings = Math.Min(failures - _freePerNumber, 30);
        var delay = _delay * Math.Pow(2, doublings);
        return delay > _maxDelay ? _maxDelay : delay;
    }

    /// <summary>A wrong code (or unknown number) for <paramref name="number"/>: counts against the client and the number.</summary>
    public void Failed(string client, string number)
    {
        Failed(client);
        var now = _clock.GetCurrentInstant();
        if (!_numbers.ContainsKey(number)) Remember(now);
        _numbers.AddOrUpdate(number, _ => new NumberFailures(1, now),
            (_, f) => now - f.Last > _memory ? new NumberFailures(1, now) : new NumberFailures(f.Count + 1, now));
    }

    /// <summary>The right code: the number's failures are forgotten, so the parent starts afresh.</summary>
    public void Succeeded(string number) => _numbers.TryRemove(number, out _);

    /// <summary>
    /// Keeps the table bounded before a new number is added: first the forgotten (quiet for the memory
    /// period), then those not yet delayed. Numbers under a delay are kept, so filling the table with
    /// guesses at other numbers does not lift one.
    /// </summary>
    private void Remember(Instant now)
    {
        if (_numbers.Count < NumberCapacity) return;
        foreach (var (number, f) in _numbers)
        {
            if (now - f.Last > _memory || f.Count < _freePerNumber) _numbers.TryRemove(KeyValuePair.Create(number, f));
        }
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
