using KinderQueue.Storage;
using KinderQueue.Storage.Appending;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// /healthz: the process is alive. /readyz: the database answers and this instance has folded the log;
/// it also says how far the public projection (positions, dashboard) has followed it.
/// </summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "alive" })).WithTags("Health").WithSummary("Liveness: the process answers.").AllowAnonymous();
        app.MapGet("/readyz", Ready).WithTags("Health").WithSummary("Readiness: database reachable and state caught up with the log.")
            .Produces(200).Produces(503).AllowAnonymous();
        return app;
    }

    private static async Task<IResult> Ready(LiveLog log, ILogStore store, Public.PublicProjection projection, CancellationToken ct)
    {
        var database = await store.PingAsync(ct);
        var size = log.IsCaughtUp ? await log.ReadAsync((_, view) => view.Size, ct) : -1;
        var ready = database && log.IsCaughtUp;
        var body = new { status = ready ? "ready" : "not-ready", database = database ? "up" : "down", caughtUp = log.IsCaughtUp, logSize = size, publicLogSize = projection.Size, backend = store.Backend };
        return ready ? TypedResults.Ok(body) : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
