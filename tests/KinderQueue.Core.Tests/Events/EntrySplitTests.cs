using KinderQueue.Core.Events;
using KinderQueue.Core.State;
using KinderQueue.Core.Tests.Criteria;
using KinderQueue.Core.Tests.Public;
using NodaTime;

namespace KinderQueue.Core.Tests.Events;

/// <summary>
/// Lists that grow with the region (capacity rows, expired offers) are written as several events of their
/// type when one entry of the tiled log could not hold them (SPEC.md §8.5), with the same effect as one.
/// </summary>
public sealed class EntrySplitTests
{
    private static RecordedLog Region(int kindergartens)
    {
        var log = new RecordedLog();
        log.Ok(RecordedLog.On(2026, 12, 1), new CriteriaPublished(DefaultCriteria.Value));
        log.Ok(RecordedLog.On(2026, 12, 2), new DistrictRegistered("central", "Центральный район"));
        for (var k = 0; k < kindergartens; k++)
            log.Ok(RecordedLog.On(2026, 12, 3), new KindergartenRegistered($"kindergarten-{k:D4}", $"Детский сад № {k}", "central", []));
        return log;
    }

    private static CapacityLoaded BigLoad(int kindergartens) => new("annual-plan",
        [.. Enumerable.Range(0, kindergartens).SelectMany(k => DefaultCriteria.Value.AgeRule.Groups
            .Select(g => new CapacityRow($"kindergarten-{k:D4}", g.Id, 2027, 20 + k % 7)))]);

    [Fact]
    public void CapacityLoadLargerThanAnEntry_IsSeveralLoads_EachUnderTheLimit_InTheRowsOrder()
    {
        var load = BigLoad(400);
        EventCodec.Encode(load).Length.Should().BeGreaterThan(65_535);

        var chunks = EntrySplit.ForEntries(load);

        chunks.Count.Should().BeGreaterThan(1);
        chunks.Should().AllBeOfType<CapacityLoaded>().And.AllSatisfy(c => ((CapacityLoaded)c).Reason.Should().Be("annual-plan"));
        chunks.Should().AllSatisfy(c => EventCodec.Encode(c).Length.Should().BeLessThanOrEqualTo(DecisionParts.MaxPayloadBytes));
        chunks.SelectMany(c => ((CapacityLoaded)c).Rows).Should().Equal(load.Rows);
        // Greedy: each chunk but the last could not take the next row.
        for (var i = 0; i < chunks.Count - 1; i++)
        {
            var c = (CapacityLoaded)chunks[i];
            var next = ((CapacityLoaded)chunks[i + 1]).Rows[0];
            EventCodec.Encode(c with { Rows = c.Rows.Add(next) }).Length.Should().BeGreaterThan(DecisionParts.MaxPayloadBytes);
        }
    }

    [Fact]
    public void CapacityLoadInSeveralEntries_SetsTheSeatsOneEntryWould()
    {
        var one = Region(400);
        one.Ok(RecordedLog.On(2026, 12, 4), BigLoad(400));
        var several = Region(400);
        foreach (var chunk in EntrySplit.ForEntries(BigLoad(400))) several.Ok(RecordedLog.On(2026, 12, 4), chunk);

        several.State.Capacity.Should().BeEquivalentTo(one.State.Capacity);
    }

    [Fact]
    public void SmallEvents_AreOneEntry()
    {
        var load = BigLoad(3);
        EntrySplit.ForEntries(load).Should().ContainSingle().Which.Should().BeSameAs(load);
        var expiry = new OffersExpired(new LocalDate(2027, 5, 20), ["A-1", "A-2"]);
        EntrySplit.ForEntries(expiry).Should().ContainSingle().Which.Should().BeSameAs(expiry);
        var changed = new ApplicationChanged("A-1", ["kg-1"], new LocalDate(2027, 9, 1));
        EntrySplit.ForEntries(changed).Should().ContainSingle().Which.Should().BeSameAs(changed);
    }

    [Fact]
    public void ExpiryOfManyOffers_IsSeveralExpiries_OfTheSameDate_InOrder()
    {
        var numbers = Enumerable.Range(0, 6000).Select(i => $"KQ-2027-{i:D6}").ToArray();
        var expiry = new OffersExpired(new LocalDate(2027, 5, 20), [.. numbers]);
        EventCodec.Encode(expiry).Length.Should().BeGreaterThan(65_535);

        var chunks = EntrySplit.ForEntries(expiry);

        chunks.Count.Should().BeGreaterThan(1);
        chunks.Should().AllSatisfy(c => ((OffersExpired)c).AsOf.Should().Be(expiry.AsOf));
        chunks.Should().AllSatisfy(c => EventCodec.Encode(c).Length.Should().BeLessThanOrEqualTo(DecisionParts.MaxPayloadBytes));
        chunks.SelectMany(c => ((OffersExpired)c).Numbers).Should().Equal(numbers);
    }
}
