using KinderQueue.Storage;
using KinderQueue.Storage.Appending;

namespace KinderQueue.Api.Hosting;

/// <summary>
/// Migrates the database and folds the log, in the background: the server listens at once, so
/// /healthz answers and /readyz says what is still behind during a start that takes minutes on a
/// large log (a probe that gets no answer restarts the pod). Until the fold is done the log's
/// readers wait for it and <see cref="StartGate"/> holds or refuses requests. A start that fails
/// (the database never answers, the log does not verify) stops the service with exit code 1, as a
/// failed host start did.
/// </summary>
public sealed class LiveLogHost(ILogStore store, LiveLog log, StartupProgress progress, IHostApplicationLifetime lifetime, ILogger<LiveLogHost> logger)
    : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _start;
    private int _disposed;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _start = Task.Run(() => FoldAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task FoldAsync(CancellationToken ct)
    {
        try
        {
            await TransientFailures.AppendPipeline(maxRetries: 8).ExecuteAsync(async c => await store.MigrateAsync(c), ct);
            progress.FoldingLog();
            await log.StartAsync(ct);
            var size = await log.ReadAsync((_, view) => view.Size, ct);
            progress.LogFolded();
            logger.LogInformation("Log folded: {Size} entries on {Backend} in {Seconds:F1} s", size, store.Backend, progress.LogFoldedAfterMs / 1000.0);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            progress.StartFailed();
            logger.LogCritical(ex, "The service could not start: the log was not folded");
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    // The LiveLog is a container singleton: disposing the host disposes it (and stops its writer).
    // Disposing it here as well made that second DisposeAsync throw ObjectDisposedException at shutdown.
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // WebApplicationFactory disposes the container before it stops the host.
        if (Volatile.Read(ref _disposed) == 1) return;
        await _stop.CancelAsync();
        if (_start is not null) await _start.WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stop.Cancel();
        _stop.Dispose();
    }
}
