using KinderQueue.Api.Hosting;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;

namespace KinderQueue.Api.PublicLog;

/// <summary>
/// Gets every new checkpoint cosigned by the configured witnesses (SPEC.md §11.2b). It runs beside
/// the log, never in its way: appends and checkpoint issuing do not wait for it, each witness has its
/// own loop, and a witness that is down only leaves its cosignature missing until it is back
/// (<see cref="WitnessClient"/> bounds every request and stops asking while its circuit is open).
/// Cosignatures are verified, stored, and served by every replica (it also reads those other replicas gathered).
/// </summary>
public sealed class WitnessSubmitter(IReadOnlyList<WitnessClient> witnesses, CheckpointBoard board, CosignedCheckpoints cosigned, LiveLog log,
    ILogger<WitnessSubmitter> logger) : BackgroundService
{
    /// <summary>How often a witness that is behind is tried again, and stored cosignatures re-read, without a new checkpoint.</summary>
    public static readonly TimeSpan LookInterval = TimeSpan.FromSeconds(2);

    public IReadOnlyList<WitnessClient> Witnesses => witnesses;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (witnesses.Count == 0) return;
        foreach (var w in witnesses)
        {
            WitnessTelemetry.Track(w);
            logger.LogInformation("Witness {Witness}: checkpoints are submitted for cosigning", w.Key.VerifierKey);
        }
        try
        {
            await Task.WhenAll([.. witnesses.Select(w => RunAsync(w, stoppingToken)), ReadStoredAsync(stoppingToken)]).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var w in witnesses) WitnessTelemetry.Untrack(w);
        }
    }

    private async Task RunAsync(WitnessClient witness, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var latest = board.Latest;
            if (latest?.Note is not null && witness.Behind(latest.Checkpoint.Size))
            {
                try
                {
                    if (await witness.SubmitAsync(latest, log.Tree, log.Store, logger, ct).ConfigureAwait(false) is { } cosignature)
                    {
                        await log.Store.AddCosignatureAsync(cosignature, ct).ConfigureAwait(false);
                        cosigned.Add(cosignature.Size, cosignature);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // The database, most likely: the next look tries again.
                    logger.LogWarning(ex, "Could not gather the cosignature of {Witness}", witness.Name);
                }
            }
            await NextAsync(latest?.Checkpoint.Size ?? -1, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Keeps the served cosignatures in step with the database, where other replicas add theirs.</summary>
    private async Task ReadStoredAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var latest = board.Latest;
            if (latest is not null)
            {
                try
                {
                    cosigned.Set(latest.Checkpoint.Size, await log.Store.GetCosignaturesAsync(latest.Checkpoint.Size, ct).ConfigureAwait(false));
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Could not read the stored cosignatures");
                }
            }
            await NextAsync(latest?.Checkpoint.Size ?? -1, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for a checkpoint larger than <paramref name="size"/>, or at most <see cref="LookInterval"/>.</summary>
    private async Task NextAsync(long size, CancellationToken ct)
    {
        try
        {
            await board.CoveringAsync(size + 1, ct).WaitAsync(LookInterval, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }
}
