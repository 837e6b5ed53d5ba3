using System.Threading.RateLimiting;
using KinderQueue.Api.Endpoints;
using Microsoft.AspNetCore.RateLimiting;

namespace KinderQueue.Api.Hosting;

/// <summary>
/// Sheds load instead of queueing it without bound (issue 15, fault 4): each class of request —
/// parents' lookups, writes, other public reads, log exports — has its own number of requests
/// served at once and a short wait line; a request beyond both gets 503 with Retry-After at once.
/// So a flood of lookups cannot push writes or the dashboard into long waits, nor the reverse, and
/// a lookup's latency stays bounded by its own class. The wait line is bounded in length and in time
/// (<see cref="BoundedWaitLimiter"/>): under overload a place in it can take long to come free.
/// Health probes are never limited. ASP.NET Core's
/// limiter publishes its own metrics (<c>aspnetcore.rate_limiting.*</c>: rejected requests, queue).
/// </summary>
public static class AdmissionControl
{
    public enum RequestClass
    {
        Unlimited,
        Lookup,
        Write,
        PublicRead,
        Export,
    }

    /// <summary>Seconds a shed client is told to wait: long enough to let the peak pass, short enough to feel responsive.</summary>
    public const int RetryAfterSeconds = 2;

    public static RequestClass ClassOf(HttpRequest request)
    {
        var path = request.Path;
        if (path.StartsWithSegments("/healthz", StringComparison.Ordinal) || path.StartsWithSegments("/readyz", StringComparison.Ordinal))
            return RequestClass.Unlimited;
        if (path.StartsWithSegments("/api/v1/public/positions", StringComparison.Ordinal) || path.StartsWithSegments("/api/v1/public/receipts", StringComparison.Ordinal))
            return RequestClass.Lookup;
        if (path.StartsWithSegments("/api/v1/public/log", StringComparison.Ordinal)) return RequestClass.Export;
        if (path.StartsWithSegments("/api/v1", StringComparison.Ordinal) && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
            return RequestClass.Write;
        return RequestClass.PublicRead;
    }

    public static PartitionedRateLimiter<HttpContext> CreateLimiter(KinderQueueOptions options) =>
        new BoundedWaitLimiter(CreateSlots(options), TimeSpan.FromMilliseconds(Math.Max(0, options.AdmissionMaxWaitMs)));

    private static PartitionedRateLimiter<HttpContext> CreateSlots(KinderQueueOptions options) =>
        PartitionedRateLimiter.Create<HttpContext, RequestClass>(context =>
        {
            var kind = ClassOf(context.Request);
            var permits = kind switch
            {
                RequestClass.Lookup => options.LookupConcurrency,
                RequestClass.Write => options.WriteConcurrency,
                RequestClass.PublicRead => options.PublicReadConcurrency,
                RequestClass.Export => options.ExportConcurrency,
                _ => 0,
            };
            if (kind == RequestClass.Unlimited || permits <= 0) return RateLimitPartition.GetNoLimiter(kind);
            return RateLimitPartition.GetConcurrencyLimiter(kind, _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = permits,
                QueueLimit = permits * Math.Max(0, options.AdmissionQueueFactor),
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        });

    public static IServiceCollection AddAdmissionControl(this IServiceCollection services, KinderQueueOptions options) =>
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = CreateLimiter(options);
            o.OnRejected = (context, ct) => RejectAsync(context.HttpContext, ct);
        });

    /// <summary>The answer to a shed request: what happened, that nothing was done, and when to come back.</summary>
    public static async ValueTask RejectAsync(HttpContext http, CancellationToken ct)
    {
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var kind = ClassOf(http.Request);
        await ApiProblems.Overloaded(kind switch
        {
            RequestClass.Lookup => "Too many parents are looking up their place at this moment.",
            RequestClass.Write => "Too many applications and changes are being recorded at this moment.",
            RequestClass.Export => "Too many copies of the log are being downloaded at this moment.",
            _ => "Too many people are reading the public figures at this moment.",
        } + $" Nothing was done. Retry in {RetryAfterSeconds} seconds" + (kind == RequestClass.Write ? " with the same Idempotency-Key." : ".")).ExecuteAsync(http);
    }
}
