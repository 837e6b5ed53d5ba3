using KinderQueue.Storage.Appending;
using NodaTime;

namespace KinderQueue.Api.Demo;

public static class DemoRegion
{
    public static Task PopulateAsync(LiveLog log, IClock clock, string dataDir, ILogger logger, CancellationToken ct) =>
        throw new NotSupportedException("The demo region generator is being written.");
}
