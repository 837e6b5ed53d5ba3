using FsCheck;
using FsCheck.Fluent;
using KinderQueue.Core.Public;

namespace KinderQueue.Core.Tests.Public;

/// <summary>
/// Random logs (submissions with random tiers, claims and backdating; reviews, changes,
/// withdrawals, rounds, responses, expiries, enrolments, capacity loads, re-registered
/// kindergartens, further criteria versions, dates moving) against the index (SPEC.md §7.6, §12).
/// </summary>
public sealed class QueueIndexPropertyTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(200);

    [Fact]
    public void Index_RandomLogs_PositionsEqualQueuePositionsAfterEveryEntry_AndHistoriesAddUp()
    {
        Check.One(Quick, Prop.ForAll(LogScripts.Scripts(maxOps: 150).ToArbitrary(), script =>
        {
            var world = new PositionWorld(script.OnDecline, script.OnExpiry, withReference: false) { CheckEachEntry = true };
            world.Run(script);
            world.CheckHistories();
        }));
    }

    [Fact]
    public void Index_RandomLogs_HistoryEqualsTheBruteForceRecomputation()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(120), Prop.ForAll(LogScripts.Scripts(maxOps: 90).ToArbitrary(), script =>
        {
            var world = new PositionWorld(script.OnDecline, script.OnExpiry, withReference: true);
            world.Run(script);
            world.CheckPositions();
            world.CheckHistories();
        }));
    }
}
