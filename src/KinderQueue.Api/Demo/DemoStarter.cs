using KinderQueue.Storage.Appending;
using NodaTime;

namespace KinderQueue.Api.Demo;

/// <summary>Fills the demo region in the background once the server listens, so the address is printed at once.</summary>
public static class DemoStarter
{
    public static void Start(WebApplication app)
    {
        var log = app.Services.GetRequiredService<LiveLog>();
        var issuer = app.Services.GetRequiredService<PublicLog.CheckpointIssuer>();
        var board = app.Services.GetRequiredService<PublicLog.CheckpointBoard>();
        var projection = app.Services.GetRequiredService<Public.PublicProjection>();
        var clock = app.Services.GetRequiredService<IClock>();
        var options = app.Services.GetRequiredService<Hosting.KinderQueueOptions>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DemoRegion).FullName!);
        // The addresses Kestrel actually bound (a port of 0 resolved), for the hint at the end.
        var addresses = app.Urls.ToList();
        var stopping = app.Lifetime.ApplicationStopping;
        _ = Task.Run(async () =>
        {
            try
            {
                await DemoRegion.PopulateAsync(log, clock, options.DataDir, logger, addresses, stopping);
                // The entries after the demo's last round would otherwise wait for the checkpoint interval
                // (a minute) before a checkpoint covers them: a validator trying the demo sees the whole log signed.
                issuer.RequestSoon();
                // Say when everything a visitor sees covers the whole demo (the dashboard is rebuilt at most
                // once a second): people, the browser tests and scripts wait for this line instead of polling.
                var size = await log.ReadAsync((_, view) => view.Size, stopping);
                await board.CoveringAsync(size, stopping);
                await projection.SnapshotCoveringAsync(size, stopping);
                logger.LogInformation("Demo ready: the dashboard and a signed checkpoint cover all {Entries} log entries", size);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "The demo region could not be filled");
            }
        });
    }
}
