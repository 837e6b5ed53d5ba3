using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KinderQueue.Core.Public;

namespace KinderQueue.Core.Tests.Public;

/// <summary>
/// Random logs (submissions with random tiers, claims and backdating; reviews, changes,
/// withdrawals, rounds, responses, expiries, enrolments, capacity loads, re-registered
/// kindergartens, further criteria versions, dates moving) against the index (SPEC.md §7.6, §12).
/// </summary>
public sealed class QueueIndexPropertyTests
{
    /// <summary>Logs of up to 150 operations, checked against the queue after every entry.</summary>
    internal static class LongScripts
    {
        public static Arbitrary<LogScript> Scripts() => LogScripts.Scripts(maxOps: 150).ToArbitrary();
    }

    /// <summary>Logs of up to 90 operations, for the slower comparison with the brute-force reference.</summary>
    internal static class ShortScripts
    {
        public static Arbitrary<LogScript> Scripts() => LogScripts.Scripts(maxOps: 90).ToArbitrary();
    }

    [Property(MaxTest = 200, Arbitrary = new[] { typeof(LongScripts) })]
    public void Index_RandomLogs_PositionsEqualQueuePositionsAfterEveryEntry_AndHistoriesAddUp(LogScript script)
    {
        var world = new PositionWorld(script.OnDecline, script.OnExpiry, withReference: false) { CheckEachEntry = true };
        world.Run(script);
        world.CheckHistories();
    }

    [Property(MaxTest = 120, Arbitrary = new[] { typeof(ShortScripts) })]
    public void Index_RandomLogs_HistoryEqualsTheBruteForceRecomputation(LogScript script)
    {
        var world = new PositionWorld(script.OnDecline, script.OnExpiry, withReference: true);
        world.Run(script);
        world.CheckPositions();
        world.CheckHistories();
    }

    /// <summary>
    /// The index stores one crossing per key range and derives histories when read; the eager
    /// index it replaced wrote every member's step. Same positions, histories and position losses
    /// after every entry and date, on logs where submissions with claims enter ahead of many.
    /// </summary>
    [Property(MaxTest = 150, Arbitrary = new[] { typeof(LongScripts) })]
    public void Index_RandomLogs_EqualsTheEagerIndexAfterEveryEntry(LogScript script)
    {
        var world = new PositionWorld(script.OnDecline, script.OnExpiry, withReference: false, withEager: true);
        world.Run(script);
    }
}
