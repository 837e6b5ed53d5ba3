using System.Diagnostics;
using KinderQueue.Api.Hosting;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Log;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;
using NodaTime;

namespace KinderQueue.Api.PublicLog;

/// <summary>
/// Issues signed checkpoints of the region's log (SPEC.md §11.2) through the one authority of
/// <see cref="LiveLog.IssueCheckpointAsync"/>, so that every replica serves the same stored sequence:
/// one while the service starts (unless the stored latest covers the log),
/// then, looking once a second, one as soon as an allocation round has been appended and otherwise one
/// per <see cref="KinderQueueOptions.CheckpointIntervalSeconds"/> while the log grows. A log that did
/// not grow gets no new checkpoint: the last one still describes it.
/// </summary>
public sealed class CheckpointIssuer(LiveLog log, CheckpointSigner signer, CheckpointBoard board, IClock clock, KinderQueueOptions options,
    StartupProgress progress, ILogger<CheckpointIssuer> logger) : BackgroundService
{
    /// <summary>How often the issuer looks at the log: the delay between an allocation round and its checkpoint.</summary>
    public static readonly TimeSpan LookInterval = TimeSpan.FromSeconds(1);

    private int _decisionsSigned;
    private long _lastIssued;
    private int _requested;

    /// <summary>
    /// Asks for a checkpoint at the next look (within <see cref="LookInterval"/>) if the log grew: a
    /// parent's receipt needs one that covers their entry. Many requests in one second make one checkpoint.
    /// </summary>
    public void RequestSoon() => Interlocked.Exchange(ref _requested, 1);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Checkpoint key {LogId} ({Algorithm}): checkpoints every {Interval} s while the log grows and after every allocation round",
            signer.LogId, CheckpointKey.Algorithm, options.CheckpointIntervalSeconds);
        return base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// The start's checkpoint, once the log is folded (LiveLogHost folds it in the background; the
    /// read waits for it): requests are served from then on, so every answer has a checkpoint to cite.
    /// A failure is retried at each look, the instance still starting meanwhile.
    /// </summary>
    private async Task FirstCheckpointAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                var decisions = await log.ReadAsync((state, _) => state.Decisions.Count, ct);
                await IssueAsync(decisions, ct);
                progress.ServingRequests();
                return;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested && log.IsStarted)
            {
                logger.LogWarning(ex, "Could not issue the start's checkpoint; retrying");
                await Task.Delay(LookInterval, ct);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, options.CheckpointIntervalSeconds));
        using var timer = new PeriodicTimer(LookInterval);
        try
        {
            await FirstCheckpointAsync(stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    // What another instance issued meanwhile is the region's latest checkpoint here too.
                    if (await log.Store.GetLatestCheckpointAsync(stoppingToken) is { } stored) Publish(stored);
                    var (decisions, size) = await log.ReadAsync((state, v) => (state.Decisions.Count, v.Size), stoppingToken);
                    // A round is an entry, so a new decision always means the log grew.
                    if (size <= (board.Latest?.Checkpoint.Size ?? -1)) continue;
                    var requested = Interlocked.Exchange(ref _requested, 0) == 1;
                    if (decisions > _decisionsSigned || requested || Stopwatch.GetElapsedTime(_lastIssued) >= interval) await IssueAsync(decisions, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The next look tries again; the last checkpoint stays published meanwhile.
                    logger.LogWarning(ex, "Could not issue a checkpoint");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Issues a checkpoint through the log's one authority (under the writer lock, stored), unless
    /// another instance already covered the log; publishes whichever is the latest.
    /// </summary>
    private async Task IssueAsync(int decisions, CancellationToken ct)
    {
        var now = Formats.TruncateToMillisecond(clock.GetCurrentInstant());
        var latest = await log.IssueCheckpointAsync((view, time) => (signer.Sign(view.Size, view.Root, view.Head, time).ToJson(), signer.SignNote(view.Size, view.Root, view.Head, time)), now, ct);
        _decisionsSigned = decisions;
        _lastIssued = Stopwatch.GetTimestamp();
        if (latest is not null) Publish(latest);
    }

    private void Publish(StoredCheckpoint stored)
    {
        if (board.Latest is { } current && stored.Size <= current.Checkpoint.Size) return;
        var signed = SignedCheckpoint.Parse(stored.Document).GetValueOrThrow();
        var published = board.Publish(signed, stored.Note);
        logger.LogInformation("Checkpoint published: {Size} entries, root {Root}", published.Checkpoint.Size, Hex.Encode(published.Checkpoint.Root));
    }
}
