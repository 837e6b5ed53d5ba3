using System.Diagnostics;
using System.Text.Json;
using KinderQueue.Web.Tests.Support;

namespace KinderQueue.Web.Tests;

/// <summary>
/// What a validator trying the demo finds: the whole demo log under a signed checkpoint issued as
/// soon as the demo was filled, not only the part up to its last allocation round until the
/// checkpoint interval (a minute) has passed.
/// </summary>
[Collection(SiteCollectionDefinition.Name)]
[Trait("Category", "Browser")]
public sealed class DemoLogTests(SiteFixture site)
{
    /// <summary>Longer than the service's one-minute checkpoint interval: some checkpoint covers the log by then.</summary>
    private static readonly TimeSpan CoverBound = TimeSpan.FromSeconds(75);

    [Fact]
    public async Task TheWholeDemoLog_IsSigned_WithoutWaitingForTheCheckpointInterval()
    {
        using var ready = JsonDocument.Parse(await site.Api.GetStringAsync("readyz"));
        var logSize = ready.RootElement.GetProperty("logSize").GetInt64();
        var clock = Stopwatch.StartNew();
        JsonDocument checkpoint;
        while (true)
        {
            checkpoint = JsonDocument.Parse(await site.Api.GetStringAsync("api/v1/public/checkpoint"));
            if (checkpoint.RootElement.GetProperty("size").GetInt64() >= logSize || clock.Elapsed > CoverBound) break;
            checkpoint.Dispose();
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        using (checkpoint)
        {
            checkpoint.RootElement.GetProperty("size").GetInt64().Should().Be(logSize);
            // The log does not grow after the demo, so this is the first checkpoint that covers it: compare its
            // time with the last entry's, which does not depend on when this test happens to run.
            using var last = JsonDocument.Parse(await site.Api.GetStringAsync($"api/v1/public/log?from={logSize - 1}&limit=1"));
            var lastEntryAt = DateTimeOffset.Parse(last.RootElement.GetProperty("at").GetString()!);
            var signedAt = DateTimeOffset.Parse(checkpoint.RootElement.GetProperty("time").GetString()!);
            (signedAt - lastEntryAt).Should().BeLessThan(TimeSpan.FromSeconds(30),
                "the demo asks for a checkpoint when it is filled (the issuer looks every second; the interval is a minute)");
        }
    }
}
