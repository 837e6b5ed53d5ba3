using KinderQueue.Storage.Federal;
using NodaTime;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace KinderQueue.Api.Federal;

/// <summary>
/// Delivers the outbox to the federal portal, oldest first, at least once: an update leaves the
/// outbox only after the portal confirmed it, so a crash between the send and the mark sends it again
/// after the restart, and the portal drops the repeat by its idempotency key. Runs beside the region's
/// work and never in its way: commands write the outbox in their own transaction and never wait for
/// this loop, and a portal that is down only makes the backlog grow (deploy/FEDERAL-PORTAL.md).
/// </summary>
public sealed partial class OutboxWorker(IFederalStore store, PortalClient client, ResiliencePipeline pipeline, PortalLinkState link,
    FederalPortalOptions options, IClock clock, ILogger<OutboxWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromMilliseconds(Math.Max(10, options.PollIntervalMs));
        while (!stoppingToken.IsCancellationRequested)
        {
            bool more;
            try
            {
                more = await PassAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is BrokenCircuitException or PortalSendException or HttpRequestException or TimeoutRejectedException)
            {
                // The portal is down or failing: the update stays owed; the circuit (or the next pass) tries again.
                link.Failed(clock.GetCurrentInstant());
                LogPortalDown(logger, ex.GetType().Name, link.Backlog);
                more = false;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                // The database is away: nothing is lost (the outbox is in it); look again later.
                LogDatabaseAway(logger, ex.GetType().Name);
                more = false;
            }
            if (more) continue;
            try
            {
                await Task.Delay(poll, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass over the oldest owed updates; true if a full batch went out and more may be owed.</summary>
    public async Task<bool> PassAsync(CancellationToken ct)
    {
        link.Backlog = await store.CountOwedFederalAsync(ct).ConfigureAwait(false);
        if (!link.Configured || link.Backlog == 0) return false;
        var owed = await store.OwedFederalAsync(Math.Max(1, options.BatchSize), ct).ConfigureAwait(false);
        foreach (var update in owed)
        {
            var outcome = await pipeline.ExecuteAsync(async token =>
            {
                await store.CountFederalAttemptAsync(update.Key, token).ConfigureAwait(false);
                try
                {
                    return await client.SendAsync(update, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is PortalSendException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    // Every failed try shows on the dashboard at once, not only after the retries ran out.
                    link.Failed(clock.GetCurrentInstant());
                    throw;
                }
            }, ct).ConfigureAwait(false);
            var now = clock.GetCurrentInstant();
            await store.CompleteFederalAsync(update.Key, outcome, now, ct).ConfigureAwait(false);
            if (outcome == FederalOutcome.Rejected)
            {
                link.Rejected(now);
                LogRejected(logger, update.Key, update.Status);
            }
            else
            {
                link.Delivered(now);
            }
            link.Backlog = Math.Max(0, link.Backlog - 1);
        }
        return owed.Count >= options.BatchSize;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Federal portal unreachable ({Reason}); {Backlog} status updates wait in the outbox")]
    private static partial void LogPortalDown(ILogger logger, string reason, long backlog);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Federal outbox not readable ({Reason}); trying again")]
    private static partial void LogDatabaseAway(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The federal portal refused status update {Key} ({Status}) for good")]
    private static partial void LogRejected(ILogger logger, string key, string status);
}
