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
    public void TheWholeDemoLog_IsSigned_WithoutWaitingForTheCheckpointInterval()
    {
        // The fixture read the log and its checkpoint once the service said "Demo ready" and before any
        // test ran (one answers an offer, which appends): a checkpoint covered the whole demo log then.
        var end = site.DemoEnd;
        end.CheckpointSize.Should().Be(end.LogSize);

        // This is the first checkpoint that covers the demo: compare its time with the last entry's,
        // which does not depend on when this test happens to run.
        (end.SignedAt - end.LastEntryAt).Should().BeLessThan(TimeSpan.FromSeconds(30),
            "the demo asks for a checkpoint when it is filled (the issuer looks every second; the interval is a minute)");
    }
}
