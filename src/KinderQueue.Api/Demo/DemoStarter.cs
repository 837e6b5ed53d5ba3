using KinderQueue.Storage.Appending;
using NodaTime;

namespace KinderQueue.Api.Demo;

/// <summary>Fills the demo region in the background once the server listens, so the address is printed at once.</summary>
public static class DemoStarter
{
    public static void Start(WebApplication app)
    {
        var log = app.Services.GetRequiredService<LiveLog>();
        var clock = app.Services.GetRequiredService<IClock>();
        var options = app.Services.GetRequiredService<Hosting.KinderQueueOptions>();
        var logger = app.Services.GetRequiredService<ILogger<LiveLog>>();
        _ = Task.Run(async () =>
        {
            try
            {
                await DemoRegion.PopulateAsync(log, clock, options.DataDir, logger, app.Lifetime.ApplicationStopping);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "The demo region could not be filled");
            }
        });
    }
}
