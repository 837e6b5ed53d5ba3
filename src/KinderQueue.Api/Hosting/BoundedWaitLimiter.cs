using System.Threading.RateLimiting;

namespace KinderQueue.Api.Hosting;

/// <summary>
/// Puts a time bound on the wait line of an admission limiter: a request that has not got a slot
/// within <c>maxWait</c> is refused (503 with Retry-After) instead of waiting on. A count-bounded
/// line alone does not bound latency — how long a place in it takes depends on how fast the class is
/// served right now, which is exactly what falls under overload — so the line is bounded in both:
/// no more than its length waits, and nobody waits longer than the bound.
/// </summary>
internal sealed class BoundedWaitLimiter(PartitionedRateLimiter<HttpContext> inner, TimeSpan maxWait) : PartitionedRateLimiter<HttpContext>
{
    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => inner.GetStatistics(resource);

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) => inner.AttemptAcquire(resource, permitCount);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken)
    {
        // No bound configured: the line's length is the only bound.
        if (maxWait <= TimeSpan.Zero) return await inner.AcquireAsync(resource, permitCount, cancellationToken).ConfigureAwait(false);
        // The common case, a free slot, costs no timer.
        var lease = inner.AttemptAcquire(resource, permitCount);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(maxWait);
        try
        {
            return await inner.AcquireAsync(resource, permitCount, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The bound passed, not the client: refused like a full line, answered with the same 503.
            return WaitedTooLong.Instance;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    private sealed class WaitedTooLong : RateLimitLease
    {
        public static readonly WaitedTooLong Instance = new();

        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
