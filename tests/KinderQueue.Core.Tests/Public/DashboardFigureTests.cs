using System.Collections.Immutable;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Public;
using KinderQueue.Core.Tests.Criteria;
using NodaTime;
using static KinderQueue.Core.Tests.Public.RecordedLog;

namespace KinderQueue.Core.Tests.Public;

/// <summary>Each figure of the dashboard (SPEC.md §13.2–11.3) on small hand-made logs, before suppression.</summary>
public sealed class DashboardFigureTests
{
    private static readonly CriteriaDocument Default = DefaultCriteria.Value;
    private static readonly LocalDate September = new(2027, 9, 1);

    /// <summary>Default criteria; central (kg-1, catchment central) and north (kg-2, no catchment).</summary>
    private static RecordedLog World(int juniorSeats = 1, CriteriaDocument? criteria = null)
    {
        var log = new RecordedLog();
        log.Ok(On(2026, 12, 1), new CriteriaPublished(criteria ?? Default));
        log.Ok(On(2026, 12, 2), new DistrictRegistered("central", "Центральный район"));
        log.Ok(On(2026, 12, 2), new DistrictRegistered("north", "Северный район"));
        log.Ok(On(2026, 12, 3), new KindergartenRegistered("kg-1", "Детский сад № 1", "central", ["central"]));
        log.Ok(On(2026, 12, 3), new KindergartenRegistered("kg-2", "Детский сад № 2", "north", []));
        log.Ok(On(2026, 12, 4), new CapacityLoaded("annual-plan",
            [new CapacityRow("kg-1", "junior", 2027, juniorSeats), new CapacityRow("kg-2", "junior", 2027, juniorSeats)]));
        return log;
    }

    private static ApplicationSubmitted Submitted(string number, string[] preferences, string birth = "2024-03", LocalDate? desired = null,
        string district = "central", Instant? registeredAt = null, string channel = "portal", params PriorityClaim[] claims) =>
        new(number, "new", channel, registeredAt ?? On(2027, 2, 1), NodaTime.Text.YearMonthPattern.Iso.Parse(birth).Value, district,
            [.. preferences], desired ?? September, [.. claims], new string('0', 64));

    private static long V(Count c) => c.Value!.Value;

    private static long V(long exact) => exact;

    private static long[] Tiers(TierCounts t) => [.. t.ByTier.Select(V)];

    // ----------------------------------------------------------------- queue tables

    [Fact]
    public void Queues_TierIsPerKindergarten_ForKindergartensAndBestForDistricts()
    {
        var log = World();
        // A-1 lives in kg-1's catchment and has a verified sibling claim at kg-2.
        log.Ok(On(2027, 2, 1), Submitted("A-1", ["kg-1", "kg-2"], desired: new LocalDate(2027, 3, 1), claims: new PriorityClaim("sibling", "kg-2")));
        log.Ok(On(2027, 2, 2), new ClaimReviewed("A-1", 0, true, "document-confirmed"));
        // A-2's first-priority claim is still pending: it counts as general.
        log.Ok(On(2027, 2, 3), Submitted("A-2", ["kg-1"], desired: new LocalDate(2027, 3, 1), district: "north", claims: new PriorityClaim("first", null)));
        // A-3's is verified.
        log.Ok(On(2027, 2, 4), Submitted("A-3", ["kg-2"], desired: new LocalDate(2027, 3, 1), district: "north", claims: new PriorityClaim("first", null)));
        log.Ok(On(2027, 2, 5), new ClaimReviewed("A-3", 0, true, "document-confirmed"));
        // A-4 wants a place only from September: it waits "later", in the group of that year.
        log.Ok(On(2027, 2, 6), Submitted("A-4", ["kg-1"]));

        // Before 1 September the current enrolment year is 2026: a child born 2024-03 is in the early group now, junior from September.
        var d = log.Truth(new LocalDate(2027, 6, 1));
        d.Year.Should().Be(2026);
        d.Tiers.Should().Equal("extraordinary", "first", "sibling", "catchment", "general");
        d.Groups.Should().Equal("early", "junior", "middle", "senior", "preparatory");
        var kg1Early = d.ByKindergarten.Single(r => r.Kindergarten == "kg-1" && r.Group == "early");
        var kg2Early = d.ByKindergarten.Single(r => r.Kindergarten == "kg-2" && r.Group == "early");
        var kg1Junior = d.ByKindergarten.Single(r => r.Kindergarten == "kg-1" && r.Group == "junior");
        //                                            extra first sibling catchment general
        Tiers(kg1Early.Counts.WaitingNow).Should().Equal(0, 0, 0, 1, 1);   // A-1 catchment, A-2 general
        Tiers(kg2Early.Counts.WaitingNow).Should().Equal(0, 1, 1, 0, 0);   // A-3 first, A-1 sibling (only at kg-2)
        Tiers(kg1Junior.Counts.WaitingLater).Should().Equal(0, 0, 0, 1, 0); // A-4 catchment
        V(kg1Early.Counts.WaitingNow.Total).Should().Be(2);
        kg1Junior.Seats.Should().BeNull("no 2026 capacity was loaded");
        kg1Junior.SeatsNextYear.Should().Be(1);
        kg1Early.District.Should().Be("central");

        // Per district each application counts once, at its best tier anywhere it applies.
        var centralEarly = d.ByDistrict.Single(r => r.District == "central" && r.Group == "early");
        var northEarly = d.ByDistrict.Single(r => r.District == "north" && r.Group == "early");
        Tiers(centralEarly.Counts.WaitingNow).Should().Equal(0, 0, 1, 0, 0); // sibling beats catchment
        Tiers(northEarly.Counts.WaitingNow).Should().Equal(0, 1, 0, 0, 1);   // A-3 first, A-2 general
        Tiers(d.Region!.WaitingNow).Should().Equal(0, 1, 1, 0, 1);
        Tiers(d.Region.WaitingLater).Should().Equal(0, 0, 0, 1, 0);
        Tiers(d.ByGroup.Single(g => g.Group == "junior").Counts.WaitingLater).Should().Equal(0, 0, 0, 1, 0);
        // Rows are every registered kindergarten (or district) × every age group, whatever they hold.
        d.ByKindergarten.Should().HaveCount(2 * 5);
        d.ByDistrict.Should().HaveCount(2 * 5);
    }

    [Fact]
    public void Queues_OffersAndEnrolments_AtTheirPlacement_EnrolmentsOfThisYearOrLater()
    {
        var log = World(juniorSeats: 1);
        log.Ok(On(2027, 2, 1), Submitted("A-1", ["kg-2"], district: "central"));
        log.Ok(On(2027, 2, 2), Submitted("A-2", ["kg-1"], district: "north"));
        log.Ok(On(2027, 2, 3), Submitted("A-3", ["kg-1"], district: "north", registeredAt: On(2027, 2, 3)));
        log.Round("2027-main", new LocalDate(2027, 5, 1), September); // A-1 kg-2, A-2 kg-1; A-3 waits
        log.Ok(On(2027, 5, 3), new OfferResponded("A-2", true));
        log.Ok(On(2027, 5, 20), new EnrolmentConfirmed("A-2"));
        log.Ok(On(2027, 6, 1), new EnrolmentExceptional("A-3", "kg-2", "junior", 2027, "court-decision"));

        var d = log.Truth(new LocalDate(2027, 10, 1)); // enrolment year 2027
        var kg1 = d.ByKindergarten.Single(r => r.Kindergarten == "kg-1" && r.Group == "junior");
        var kg2 = d.ByKindergarten.Single(r => r.Kindergarten == "kg-2" && r.Group == "junior");
        Tiers(kg2.Counts.Offered).Should().Equal(0, 0, 0, 0, 1);   // A-1, general at kg-2 (not its catchment)
        Tiers(kg1.Counts.Enrolled).Should().Equal(0, 0, 0, 0, 1);  // A-2, general: north is not kg-1's catchment
        Tiers(kg2.Counts.Enrolled).Should().Equal(0, 0, 0, 0, 1);  // A-3, outside the algorithm
        V(kg1.Counts.WaitingNow.Total).Should().Be(0);
        Tiers(d.ByDistrict.Single(r => r.District == "central" && r.Group == "junior").Counts.Offered).Should().Equal(0, 0, 0, 0, 1);
        V(d.ByDistrict.Single(r => r.District == "north" && r.Group == "junior").Counts.Enrolled.Total).Should().Be(2);
        kg1.Seats.Should().Be(1);

        // In the next enrolment year the 2027 enrolments are history: the tables show the current queue.
        var later = log.Truth(new LocalDate(2028, 9, 1));
        V(later.Region!.Enrolled.Total).Should().Be(0);
        V(later.EnrolmentsAllTime.ByAlgorithm).Should().Be(1);
    }

    // ----------------------------------------------------------------- waiting time

    [Fact]
    public void WaitingTime_FromTheLaterOfRegistrationAndDesiredStart_ToTheSeat_NearestRank()
    {
        var log = World(juniorSeats: 10);
        // Ten children wanting a junior place 0, 10, ..., 90 days before 1 September; six in central, four in north.
        for (var k = 0; k < 10; k++)
        {
            log.Ok(On(2027, 2, 1, k), Submitted($"A-{k}", ["kg-1"], desired: September.PlusDays(-10 * k), district: k < 6 ? "central" : "north",
                registeredAt: On(2027, 2, 1, k)));
        }
        // A federal-portal application registered long ago: its wait still starts at its desired start.
        log.Ok(On(2027, 2, 2), Submitted("F-1", ["kg-2"], desired: new LocalDate(2027, 8, 22), district: "north",
            registeredAt: On(2025, 1, 10), channel: "federal"));
        log.Round("2027-main", new LocalDate(2027, 5, 1), September);

        var d = log.Truth(new LocalDate(2027, 6, 1));
        // Region: waits 0,10,...,90 and 10 (F-1) → sorted 0,10,10,20,...,90 (n = 11):
        // median = rank ⌈11/2⌉ = 6 → 40; p90 = rank ⌈9.9⌉ = 10 → 80.
        d.WaitingTimes.Single(t => t.District is null).Should().Be(new WaitingTime(null, 40, 80));
        // Central: 0,10,20,30,40,50 → median rank 3 → 20; fewer than 10 values: no p90.
        d.WaitingTimes.Single(t => t.District == "central").Should().Be(new WaitingTime("central", 20, null));
        // North: 60,70,80,90 and F-1's 10 → five values: median rank 3 → 70.
        d.WaitingTimes.Single(t => t.District == "north").Should().Be(new WaitingTime("north", 70, null));
        d.WaitingFrom.Should().Be(new LocalDate(2026, 6, 2));

        // A year later the round is out of the window: nothing to show.
        log.Truth(new LocalDate(2028, 5, 1)).WaitingTimes.Should().OnlyContain(t => t.MedianDays == null && t.P90Days == null);
        log.Truth(new LocalDate(2028, 4, 30)).WaitingTimes.Single(t => t.District is null).MedianDays.Should().Be(40);
    }

    [Fact]
    public void WaitingTime_CountsOnlyTheFirstOffer()
    {
        // Declined offers go back to the queue with these criteria, so A-1 is offered twice.
        var requeue = Default with { Offer = Default.Offer with { OnDecline = OfferOutcome.Requeue } };
        var log = World(juniorSeats: 1, criteria: requeue);
        log.Ok(On(2027, 2, 1), Submitted("A-1", ["kg-1"], desired: new LocalDate(2027, 3, 1)));
        log.Round("r1", new LocalDate(2027, 5, 1), September);
        log.Ok(On(2027, 5, 2), new OfferResponded("A-1", false));
        log.Round("r2", new LocalDate(2027, 5, 3), new LocalDate(2027, 10, 1));

        log.Recorder.FirstOffers.Should().Equal(new DashboardRecorder.FirstOffer("central", new LocalDate(2027, 5, 1), 184));
        log.State.Decisions.Should().HaveCount(2);
        log.State.Decisions[1].Decision.Offers.Should().ContainSingle(o => o.Number == "A-1");
    }

    // ----------------------------------------------------------------- share by the algorithm

    [Fact]
    public void Share_ConfirmedAfterAnOffer_AgainstExceptional_PerYearAndAllTime()
    {
        var log = World(juniorSeats: 6);
        for (var i = 0; i < 8; i++) log.Ok(On(2027, 2, 1, i), Submitted($"A-{i}", ["kg-1"], registeredAt: On(2027, 2, 1, i)));
        log.Round("2027-main", new LocalDate(2027, 5, 1), September); // A-0..A-5 offered
        for (var i = 0; i < 6; i++)
        {
            log.Ok(On(2027, 5, 2, i), new OfferResponded($"A-{i}", true));
            log.Ok(On(2027, 5, 20, i), new EnrolmentConfirmed($"A-{i}"));
        }
        log.Ok(On(2027, 6, 1), new EnrolmentExceptional("A-6", "kg-1", "junior", 2027, "court-decision"));
        log.Ok(On(2027, 6, 2), new EnrolmentExceptional("A-7", "kg-2", "junior", 2026, "prosecutor-order"));

        var truth = log.Truth(new LocalDate(2027, 10, 1));
        truth.EnrolmentYears.Select(y => (y.Year, V(y.ByAlgorithm), V(y.Exceptional))).Should().Equal((2027, 6L, 1L));
        // 6 / 7 = 85.71 % → 8571 basis points (rounded down, so 98 % is never reached by rounding).
        truth.EnrolmentYears[0].Share.Should().Be(new Share(8571, false));
        (V(truth.EnrolmentsAllTime.ByAlgorithm), V(truth.EnrolmentsAllTime.Exceptional)).Should().Be((6, 2));
        truth.EnrolmentsAllTime.Share.Should().Be(new Share(7500, false));
        truth.EnrolmentsAllTime.LegalBases.Select(b => (b.Basis, b.Enrolments)).Should().Equal(("court-decision", 1L), ("prosecutor-order", 1L));

        // Published exactly although the exceptional counts are under 5: each enrolment is an entry of
        // the public log, so hiding the count would hide nothing (SPEC.md §13.4).
        var published = log.Build(new LocalDate(2027, 10, 1));
        published.EnrolmentsAllTime.Should().BeEquivalentTo(truth.EnrolmentsAllTime);
        published.EnrolmentYears.Should().BeEquivalentTo(truth.EnrolmentYears);
    }

    [Fact]
    public void LegalBases_CountTheEnrolmentsStillInForce_UnderTheirLatestBasis()
    {
        var log = World(juniorSeats: 6);
        for (var i = 0; i < 3; i++) log.Ok(On(2027, 2, 1, i), Submitted($"A-{i}", ["kg-1"], registeredAt: On(2027, 2, 1, i)));
        log.Ok(On(2027, 6, 1), new EnrolmentExceptional("A-0", "kg-1", "junior", 2027, "court-decision"));
        log.Ok(On(2027, 6, 1, 1), new EnrolmentExceptional("A-1", "kg-1", "junior", 2027, "court-decision"));
        log.Ok(On(2027, 6, 1, 2), new EnrolmentExceptional("A-2", "kg-1", "junior", 2027, "prosecutor-order"));

        var all = log.Build(new LocalDate(2027, 10, 1)).EnrolmentsAllTime;
        all.Exceptional.Should().Be(3);
        all.LegalBases.Sum(b => b.Enrolments).Should().Be(all.Exceptional, "every enrolment outside the algorithm has one basis");
        all.LegalBases.Select(b => (b.Basis, b.Enrolments)).Should().Equal(("court-decision", 2L), ("prosecutor-order", 1L));
        // Each with the name the criteria publish for it.
        all.LegalBases[0].Name!.En.Should().StartWith("A court decision in force");
        all.Share.Should().Be(new Share(0, false));
    }

    [Theory]
    [InlineData(0, 0, null, null)]          // nothing enrolled: no share
    [InlineData(0, 3, 0, false)]            // some enrolled, none by the algorithm
    [InlineData(200, 0, 10000, true)]
    [InlineData(200, 4, 9803, true)]        // 200/204
    [InlineData(49, 1, 9800, true)]         // exactly 98 %
    [InlineData(4899, 101, 9798, false)]    // 97.98 %: rounding down never reaches the target
    [InlineData(1182, 1, 9991, true)]
    public void Share_IsExact_RoundedDown(long algorithm, long exceptional, int? basisPoints, bool? met)
    {
        var share = Shares.Of(algorithm, exceptional);
        if (basisPoints is null) share.Should().BeNull();
        else share.Should().Be(new Share(basisPoints.Value, met!.Value));
    }

    // ----------------------------------------------------------------- months

    [Fact]
    public void Months_FlowsByLocalMonth_AndTheWaitingCountAtEachMonthsEnd()
    {
        var log = World(juniorSeats: 1);
        log.Ok(On(2027, 1, 10), Submitted("A-1", ["kg-1"], registeredAt: On(2027, 1, 10)));
        log.Ok(On(2027, 1, 11), Submitted("A-2", ["kg-2"], registeredAt: On(2027, 1, 11)));
        log.Ok(On(2027, 1, 12), Submitted("A-3", ["kg-1"], registeredAt: On(2027, 1, 12)));
        log.Ok(On(2027, 1, 20), new ApplicationWithdrawn("A-3", "parent-request"));
        // 22:00 UTC on 31 January is 01:00 on 1 February in Moscow: a February entry.
        var lateJanuaryUtc = Instant.FromUtc(2027, 1, 31, 22, 0);
        log.Ok(lateJanuaryUtc, Submitted("A-4", ["kg-1"], registeredAt: lateJanuaryUtc));
        log.Ok(On(2027, 2, 10), Submitted("A-5", ["kg-1"], registeredAt: On(2027, 2, 10)));
        log.Round("2027-main", new LocalDate(2027, 5, 1), September); // A-1 kg-1, A-2 kg-2
        log.Ok(On(2027, 5, 3), new OfferResponded("A-1", false));    // declined: paused
        log.Ok(On(2027, 5, 20), new OffersExpired(new LocalDate(2027, 5, 20), ["A-2"])); // paused
        log.Ok(On(2027, 6, 5), new ApplicationChanged("A-1", ["kg-1", "kg-2"], September)); // waits again
        log.Ok(On(2027, 6, 10), new EnrolmentExceptional("A-4", "kg-1", "junior", 2027, "court-decision"));
        log.Ok(On(2027, 7, 1), Submitted("A-6", ["kg-1"], registeredAt: On(2027, 7, 1))); // July is not complete on asOf

        var d = log.Truth(new LocalDate(2027, 7, 15));
        d.Months.Select(m => (Formats(m.Month), m.Complete, V(m.Submitted), V(m.Offers), V(m.Declined), V(m.Expired), V(m.Enrolments), V(m.Withdrawals), V(m.WaitingAtEnd)))
            .Should().Equal(
                ("2026-12", true, 0L, 0L, 0L, 0L, 0L, 0L, 0L),
                ("2027-01", true, 3L, 0L, 0L, 0L, 0L, 1L, 2L),
                ("2027-02", true, 2L, 0L, 0L, 0L, 0L, 0L, 4L),
                ("2027-03", true, 0L, 0L, 0L, 0L, 0L, 0L, 4L),
                ("2027-04", true, 0L, 0L, 0L, 0L, 0L, 0L, 4L),
                ("2027-05", true, 0L, 2L, 1L, 1L, 0L, 0L, 2L),
                ("2027-06", true, 0L, 0L, 0L, 0L, 1L, 0L, 2L),
                // The month of asOf so far, ending with the current count.
                ("2027-07", false, 1L, 0L, 0L, 0L, 0L, 0L, 3L));

        // On the first of a month the month before is complete and ends with the count at that moment;
        // the new month is published with no flows yet.
        var august = log.Truth(new LocalDate(2027, 8, 1)).Months;
        august[^2].Should().Match<MonthRow>(m => m.Month == new YearMonth(2027, 7) && m.Complete && m.WaitingAtEnd == 3);
        august[^1].Should().Match<MonthRow>(m => m.Month == new YearMonth(2027, 8) && !m.Complete && m.Submitted == 0 && m.WaitingAtEnd == 3);
    }

    private static string Formats(YearMonth m) => KinderQueue.Core.Encoding.Formats.Format(m);

    // ----------------------------------------------------------------- anomalies

    [Fact]
    public void Backdated_CountsRegistrationsEarlierThanTheirEntry_ByChannel()
    {
        var log = World();
        var at = On(2027, 2, 1);
        log.Ok(at, Submitted("P-1", ["kg-1"], registeredAt: at, channel: "portal"));
        log.Ok(at, Submitted("C-1", ["kg-1"], registeredAt: at - Duration.FromMilliseconds(1), channel: "centre"));
        log.Ok(at, Submitted("C-2", ["kg-1"], registeredAt: at, channel: "centre"));
        log.Ok(at, Submitted("F-1", ["kg-1"], registeredAt: On(2025, 3, 1), channel: "federal"));

        log.Truth(new LocalDate(2027, 3, 1)).Channels.Select(c => (c.Channel, V(c.Submitted), V(c.Backdated)))
            .Should().Equal(("centre", 2L, 1L), ("federal", 1L, 1L), ("portal", 1L, 0L));
    }

    [Fact]
    public void CapacityCuts_OfTheRoundsYear_LoadedUpToSevenDaysBeforeIt()
    {
        var log = World(juniorSeats: 10);
        log.Ok(On(2027, 1, 15), new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "middle", 2027, 8), new CapacityRow("kg-1", "junior", 2028, 9)]));
        log.Ok(On(2027, 4, 23), new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 9)]));
        log.Ok(On(2027, 4, 24), new CapacityLoaded("annual-plan",
            [new CapacityRow("kg-2", "junior", 2027, 7), new CapacityRow("kg-1", "middle", 2027, 2), new CapacityRow("kg-1", "junior", 2028, 1)]));
        log.Ok(On(2027, 4, 30), new CapacityLoaded("annual-plan",
            [new CapacityRow("kg-2", "middle", 2027, 3), new CapacityRow("kg-1", "junior", 2027, 12)]));
        log.Round("2027-main", new LocalDate(2027, 5, 1), September);
        log.Round("2027-06", new LocalDate(2027, 6, 15), September);

        // 24 April: kg-2 junior 10 → 7 and kg-1 middle 8 → 2 for 2027 (2 programs, 9 seats); the 2028 cut is another year.
        log.Truth(new LocalDate(2027, 7, 1)).CapacityCuts.Should().Equal(
            new CapacityCutRow("2027-main", new LocalDate(2027, 5, 1), 2027, 2, 9),
            new CapacityCutRow("2027-06", new LocalDate(2027, 6, 15), 2027, 0, 0));
    }

    // ----------------------------------------------------------------- the recorder's contract

    [Fact]
    public void Recorder_RefusesAnEntryTheFoldDidNotAccept_AndAStateOfOtherEntries()
    {
        var log = World();
        var bad = new ApplicationWithdrawn("NOPE", "parent-request");
        var entry = new KinderQueue.Core.Log.LogEntry(log.State.Size, On(2027, 2, 1), "staff:s-1", bad.Type, EventCodec.Encode(bad), log.Chain.Head.ToArray());
        log.State.Apply(entry, bad).Should().NotBeNull();

        var observe = () => log.Recorder.Observe(entry, bad, log.State);
        observe.Should().Throw<ArgumentException>();
        var build = () => new DashboardRecorder().Build(log.State, new LocalDate(2027, 3, 1));
        build.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Build_WithoutCriteriaInForce_HasNoQueueTables()
    {
        var log = new RecordedLog();
        log.Ok(On(2026, 12, 1), new CriteriaPublished(Default)); // effective 2027-01-01
        var d = log.Build(new LocalDate(2026, 12, 15));
        d.Criteria.Should().BeNull();
        d.Year.Should().BeNull();
        d.ByKindergarten.Should().BeEmpty();
        d.Region.Should().BeNull();
        DashboardJson.ToCanonicalBytes(d).Should().NotBeEmpty();
    }

    internal static ImmutableArray<string> Numbers(RecordedLog log) => [.. log.State.Applications.Keys];
}
