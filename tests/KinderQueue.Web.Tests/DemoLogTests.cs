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
    [Fact]
    public async Task TheWholeDemoLog_IsSigned_WithoutWaitingForTheCheckpointInterval()
    {
        // The fixture started once the service said "Demo ready": a checkpoint covers the whole log by now.
        using var ready = JsonDocument.Parse(await site.Api.GetStringAsync("readyz"));
        var logSize = ready.RootElement.GetProperty("logSize").GetInt64();
        using var checkpoint = JsonDocument.Parse(await site.Api.GetStringAsync("api/v1/public/checkpoint"));
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
