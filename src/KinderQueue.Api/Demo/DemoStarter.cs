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
        var clock = app.Services.GetRequiredService<IClock>();
        var options = app.Services.GetRequiredService<Hosting.KinderQueueOptions>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DemoRegion).FullName!);
        // The addresses Kestrel actually bound (a port of 0 resolved), for the hint at the end.
        var addresses = app.Urls.ToList();
        _ = Task.Run(async () =>
        {
            try
            {
                await DemoRegion.PopulateAsync(log, clock, options.DataDir, logger, addresses, app.Lifetime.ApplicationStopping);
                // The entries after the demo's last round would otherwise wait for the checkpoint interval
                // (a minute) before a checkpoint covers them: a validator trying the demo sees the whole log signed.
                issuer.RequestSoon();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "The demo region could not be filled");
            }
        });
    }
}
