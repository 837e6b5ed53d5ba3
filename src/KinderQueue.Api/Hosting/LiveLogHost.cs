using KinderQueue.Storage;
using KinderQueue.Storage.Appending;

namespace KinderQueue.Api.Hosting;

/// <summary>Migrates the database and folds the log before the server takes requests.</summary>
public sealed class LiveLogHost(ILogStore store, LiveLog log, ILogger<LiveLogHost> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await TransientFailures.AppendPipeline(maxRetries: 8).ExecuteAsync(async ct => await store.MigrateAsync(ct), cancellationToken);
        await log.StartAsync(cancellationToken);
        var size = await log.ReadAsync((_, view) => view.Size, cancellationToken);
        logger.LogInformation("Log folded: {Size} entries on {Backend}", size, store.Backend);
    }

    // The LiveLog is a container singleton: disposing the host disposes it (and stops its writer).
    // Disposing it here as well made that second DisposeAsync throw ObjectDisposedException at shutdown.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
