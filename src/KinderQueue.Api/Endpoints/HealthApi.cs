using KinderQueue.Storage;
using KinderQueue.Storage.Appending;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// /healthz: the process is alive. /readyz: this instance serves every public answer for what it
/// acknowledged — the database answers, the writer's state matches what the database committed,
/// the public tree (proofs, export, receipts) holds every folded entry, and the public projection
/// (positions, dashboard) has caught up since the start and keeps following. The body says which
/// condition fails, and whether writes are refused because storage is full (reads still work then,
/// so the instance stays ready: taking every replica out would stop the lookups too). Neither waits
/// for the start: the log is folded in the background, and /readyz then says which phase it is in.
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

    private static async Task<IResult> Ready(LiveLog log, ILogStore store, Public.PublicProjection projection, Hosting.StartupProgress progress,
        CancellationToken ct)
    {
        var database = await store.PingAsync(ct);
        var (size, treeSize) = (-1L, -1L);
        if (log.IsCaughtUp)
        {
            try
            {
                // Under the log's gate the tree and the chain move together: a difference is a frozen public log.
                (size, treeSize) = await log.ReadAsync((_, view) => (view.Size, (long)log.Tree.Count), ct);
            }
            catch (LogUnavailableException)
            {
                // Stale: reported as not caught up below.
            }
        }
        var caughtUp = log.IsCaughtUp && size >= 0;
        var treeCurrent = caughtUp && treeSize == size;
        var ready = database && caughtUp && treeCurrent && projection.IsFollowing && progress.IsServing;
        var body = new
        {
            status = ready ? "ready" : "not-ready",
            database = database ? "up" : "down",
            caughtUp,
            publicTree = treeCurrent ? "current" : "behind",
            publicProjection = projection.IsFollowing ? "following" : "behind",
            writes = log.IsStorageFull ? "refused: storage full" : "accepted",
            logSize = size,
            publicLogSize = projection.Size,
            backend = store.Backend,
            // Milliseconds from the service's start to each stage (null: not reached yet), and the stage it is in.
            startup = new
            {
                phase = progress.Phase,
                logFoldedMs = progress.LogFoldedAfterMs,
                servingMs = progress.ServingAfterMs,
                publicProjectionCurrentMs = progress.PublicProjectionCurrentAfterMs,
            },
        };
        return ready ? TypedResults.Ok(body) : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
