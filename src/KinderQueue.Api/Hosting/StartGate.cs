namespace KinderQueue.Api.Hosting;

/// <summary>
/// Requests during the start (log being folded, first checkpoint not yet issued): the probes pass
/// at once; anything else waits up to <see cref="Wait"/> for the start (a fresh or small log is
/// folded by then), else gets a 503 problem with Retry-After. On a large log nothing would hang for
/// minutes on the log's lock, and the readiness probe keeps the instance out of the Service anyway.
/// </summary>
public sealed class StartGate(RequestDelegate next, StartupProgress progress)
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private const int RetryAfterSeconds = 5;

    public async Task InvokeAsync(HttpContext context)
    {
        if (progress.IsServing || IsProbe(context.Request.Path))
        {
            await next(context);
            return;
        }
        try
        {
            await progress.Serving.WaitAsync(Wait, context.RequestAborted);
        }
        catch (TimeoutException)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await TypedResults.Problem(
                title: "The service is starting.",
                detail: $"This instance is still starting ({progress.Phase}); /readyz says what is behind. Retry in a few seconds.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                type: "https://kinderqueue.example/problems/service.starting",
                extensions: new Dictionary<string, object?>
                {
                    ["errors"] = new[] { new Dictionary<string, string> { ["path"] = "$", ["code"] = "service.starting", ["message"] = "The service is starting." } },
                }).ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/healthz", StringComparison.Ordinal) || path.StartsWithSegments("/readyz", StringComparison.Ordinal);
}
