using System.Collections.Immutable;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;
using KinderQueue.Core.Tests.Criteria;
using NodaTime;

namespace KinderQueue.Core.Tests.Public;

/// <summary>
/// One example per reason of a position change (SPEC.md §12.3), and the other behaviours of the
/// index. The world: default criteria; districts d1–d3; kg-1 and kg-4 in d1 with catchment d1,
/// kg-2 (d2), kg-3 (d3); entries on 11 January 2027 seven minutes apart unless a test moves the
/// clock. Steps are shown as "before→after reason±count[seqs]".
/// </summary>
public sealed class QueueIndexTests
{
    private static readonly YearMonth Born2024 = new(2024, 3);
    private static readonly LocalDate January = new(2027, 1, 11);

    private sealed class Example(OfferOutcome onDecline = OfferOutcome.Pause)
    {
        public PositionWorld World { get; } = new(onDecline, OfferOutcome.Pause, withReference: true) { CheckEachEntry = true };

        public long LastSeq => World.State.Size - 1;

        /// <summary>Submits a general application (district d2: no catchment at kg-1) registered now unless told.</summary>
        public long Submit(string number, string[] preferences, string district = "d2", Instant? registeredAt = null, YearMonth? born = null,
            LocalDate? desired = null, params PriorityClaim[] claims)
        {
            World.Ok(PositionWorld.Application(number, preferences, born ?? Born2024, desired ?? World.Today, registeredAt ?? World.Clock, district, claims));
            return LastSeq;
        }

        public long Ok(LogEvent e)
        {
            World.Ok(e);
            return LastSeq;
        }

        public long Round(LocalDate startDate)
        {
            World.Ok(Rounds.Decide(World.State, $"r{World.State.Decisions.Count + 1}", World.Today, startDate).GetValueOrThrow().Decision);
            return LastSeq;
        }

        public ImmutableArray<PositionStep> Steps(string number, string kg)
        {
            World.CheckHistories();
            return World.Index.HistoryOf(number)!.Kindergartens.Single(k => k.Kindergarten == kg).Steps;
        }

        public string[] Lines(string number, string kg) => [.. Steps(number, kg).Select(Line)];

        public int? Position(string number, string kg) =>
            World.Index.PositionsOf(number)!.Positions.SingleOrDefault(p => p.Kindergarten == kg)?.Position;
    }

    private static string Line(PositionStep s) =>
        $"{s.Before?.ToString() ?? "-"}→{s.After?.ToString() ?? "-"} " +
        string.Join(" ", s.Reasons.Select(r => $"{r.Reason}{r.Count:+0;-0;0}[{string.Join(",", r.Seqs)}]{(r.More > 0 ? $"+{r.More}" : "")}")) +
        (s.Status is null ? "" : $" {s.Status}") +
        (s.Seats is null ? "" : $" seats {s.Seats.Before?.ToString() ?? "-"}→{s.Seats.After}");

    // ------------------------------------------------------------------------------ reasons

    [Fact]
    public void History_NewApplicationWithAHigherTier_IsNewAhead()
    {
        var x = new Example();
        var a = x.Submit("A", ["kg-1"]);
        var b = x.Submit("B", ["kg-1"], district: "d1"); // catchment of kg-1

        x.Lines("A", "kg-1").Should().Equal($"-→1 own-submitted0[{a}]", $"1→2 new-ahead+1[{b}]");
        x.Lines("B", "kg-1").Should().Equal($"-→1 own-submitted0[{b}]");
        x.Steps("B", "kg-1")[0].Tier.Should().Be("catchment");
    }

    [Fact]
    public void History_BackdatedApplication_IsNewAhead_AndOneRegisteredLaterIsNotAChange()
    {
        var x = new Example();
        var a = x.Submit("A", ["kg-1"]);
        var b = x.Submit("B", ["kg-1"], registeredAt: x.World.Clock - Duration.FromDays(300));
        x.Submit("C", ["kg-1"]);

        x.Lines("A", "kg-1").Should().Equal($"-→1 own-submitted0[{a}]", $"1→2 new-ahead+1[{b}]");
        x.Position("A", "kg-1").Should().Be(2);
        x.Position("C", "kg-1").Should().Be(3);
    }

    [Fact]
    public void History_ManyChangesOnOneDay_CoalesceIntoOneStep_ListingTwentyEntries()
    {
        var x = new Example();
        x.Submit("A", ["kg-1"]);
        var seqs = Enumerable.Range(1, 25).Select(i => x.Submit($"B-{i}", ["kg-1"], district: "d1")).ToList();
        var withdrawn = x.Ok(new ApplicationWithdrawn("B-3", "parent-request"));
        x.World.Clock += Duration.FromDays(1);
        var nextDay = x.Submit("C", ["kg-1"], district: "d1");

        var steps = x.Steps("A", "kg-1");
        steps.Should().HaveCount(3);
        var day = steps[1];
        (day.Before, day.After, day.FirstSeq, day.LastSeq, day.Date).Should().Be((1, 25, seqs[0], withdrawn, January));
        day.Reasons.Should().BeEquivalentTo(new[]
        {
            new StepReason(PositionReasons.NewAhead, 25, [.. seqs.Take(20)], 5),
            new StepReason(PositionReasons.Withdrawn, -1, [withdrawn], 0),
        }, o => o.WithStrictOrdering());
        Line(steps[2]).Should().Be($"25→26 new-ahead+1[{nextDay}]");
    }

    [Fact]
    public void History_ClaimVerified_MovesThatApplicationAhead_AndIsItsOwnRight()
    {
        var x = new Example();
        x.Submit("A", ["kg-1", "kg-2"]);
        var b = x.Submit("B", ["kg-1", "kg-2"], claims: new PriorityClaim("sibling", "kg-1"));
        var review = x.Ok(new ClaimReviewed("B", 0, true, "document-confirmed"));

        x.Lines("A", "kg-1")[^1].Should().Be($"1→2 right-verified+1[{review}]");
        x.Lines("A", "kg-2").Should().ContainSingle("the sibling right counts only at kg-1");
        x.Lines("B", "kg-1").Should().Equal($"-→2 own-submitted0[{b}]", $"2→1 own-right-1[{review}]");
        x.Steps("B", "kg-1")[^1].Tier.Should().Be("sibling");
    }

    [Fact]
    public void History_ClaimRejectedAfterVerification_IsRightRejected()
    {
        var x = new Example();
        x.Submit("A", ["kg-1"]);
        x.Submit("B", ["kg-1"], claims: new PriorityClaim("first", null));
        var verified = x.Ok(new ClaimReviewed("B", 0, true, "document-confirmed"));
        x.World.Clock += Duration.FromDays(2);
        var rejected = x.Ok(new ClaimReviewed("B", 0, false, "not-eligible"));

        x.Lines("A", "kg-1")[1..].Should().Equal($"1→2 right-verified+1[{verified}]", $"2→1 right-rejected-1[{rejected}]");
    }

    [Fact]
    public void History_ChildrenAheadPlacedInARound_IsPlaced_AndTheirOwnHistoryEndsWithTheOffer()
    {
        var x = new Example();
        x.Ok(new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 2)]));
        x.Submit("A-1", ["kg-1"]);
        x.Submit("A-2", ["kg-1"]);
        x.Submit("A-3", ["kg-1"]);
        var round = x.Round(new LocalDate(2027, 9, 1));

        x.Lines("A-3", "kg-1")[^1].Should().Be($"3→1 placed-2[{round}]");
        x.Lines("A-1", "kg-1")[^1].Should().Be($"1→- own-status0[{round}] offered");
        x.World.Index.PositionsOf("A-1")!.Positions.Should().BeEmpty();
    }

    [Fact]
    public void History_RoundArchivesAnApplicationAhead_IsArchived()
    {
        var x = new Example();
        // Turns 7 on 31 October 2027; A turns 7 on 30 November, after the round's start date.
        x.Submit("X", ["kg-1"], born: new YearMonth(2020, 10));
        x.Submit("A", ["kg-1"], born: new YearMonth(2020, 11));
        var round = x.Round(new LocalDate(2027, 11, 1));

        x.World.State.Applications["X"].Status.Should().Be(ApplicationStatus.Archived);
        x.Lines("A", "kg-1")[^1].Should().Be($"2→1 archived-1[{round}]");
        x.Lines("X", "kg-1")[^1].Should().Be($"1→- own-status0[{round}] archived");
    }

    [Fact]
    public void History_WithdrawalAhead_IsWithdrawn_AndTheOwnWithdrawalEndsTheHistory()
    {
        var x = new Example();
        x.Submit("A", ["kg-1"]);
        x.Submit("B", ["kg-1"]);
        x.World.Clock += Duration.FromDays(1);
        var first = x.Ok(new ApplicationWithdrawn("A", "parent-request"));
        var own = x.Ok(new ApplicationWithdrawn("B", "parent-request"));

        x.Lines("B", "kg-1")[1..].Should().Equal($"2→1 withdrawn-1[{first}]", $"1→- own-status0[{own}] withdrawn");
    }

    [Fact]
    public void History_ExceptionalEnrolmentAhead_IsEnrolledOutside()
    {
        var x = new Example();
        x.Submit("A", ["kg-1"]);
        x.Submit("B", ["kg-1"]);
        var court = x.Ok(new EnrolmentExceptional("A", "kg-1", "junior", 2026, "court-decision"));

        x.Lines("B", "kg-1")[^1].Should().Be($"2→1 enrolled-outside-1[{court}]");
        x.Lines("A", "kg-1")[^1].Should().Be($"1→- own-status0[{court}] enrolled");
    }

    [Fact]
    public void History_DeclinedOfferUnderRequeue_ComesBackAsReturned()
    {
        var x = new Example(onDecline: OfferOutcome.Requeue);
        x.Ok(new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 1)]));
        x.Submit("X", ["kg-1"]);
        x.Submit("A", ["kg-1"]);
        var round = x.Round(new LocalDate(2027, 9, 1));
        x.World.Clock += Duration.FromDays(1);
        var declined = x.Ok(new OfferResponded("X", false));

        x.Lines("A", "kg-1")[1..].Should().Equal($"2→1 placed-1[{round}]", $"1→2 returned+1[{declined}]");
        x.Lines("X", "kg-1")[1..].Should().Equal($"1→- own-status0[{round}] offered", $"-→1 own-returned0[{declined}]");
    }

    [Fact]
    public void History_ExpiredOfferUnderRequeue_ComesBackAsReturned()
    {
        var x = new Example();
        x.Ok(new CriteriaPublished(DefaultCriteria.Value with
        {
            Version = "2027.2", EffectiveFrom = January, Offer = DefaultCriteria.Value.Offer with { OnExpiry = OfferOutcome.Requeue },
        }));
        x.Ok(new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 1)]));
        x.Submit("X", ["kg-1"]);
        x.Submit("A", ["kg-1"]);
        x.Round(new LocalDate(2027, 9, 1));
        x.World.Clock += Duration.FromDays(12);
        var expired = x.Ok(new OffersExpired(x.World.Today, ["X"]));

        x.Lines("A", "kg-1")[^1].Should().Be($"1→2 returned+1[{expired}]");
    }

    [Fact]
    public void History_AnotherApplicationAddsTheKindergarten_IsPreferences()
    {
        var x = new Example();
        x.Submit("B", ["kg-2"]);
        x.Submit("A", ["kg-1"]);
        var change = x.Ok(new ApplicationChanged("B", ["kg-2", "kg-1"], x.World.Today));
        var back = x.Ok(new ApplicationChanged("B", ["kg-2"], x.World.Today));

        x.Steps("A", "kg-1").Should().HaveCount(2, "both changes fall on one day");
        x.Lines("A", "kg-1")[1].Should().Be($"1→1 preferences0[{change},{back}]");
        x.Lines("B", "kg-1").Should().Equal($"-→1 own-preferences0[{change}]", $"1→- own-preferences0[{back}]");
        x.World.Index.HistoryOf("B")!.Kindergartens.Select(k => (k.Kindergarten, k.Listed)).Should().Equal(("kg-2", true), ("kg-1", false));
    }

    [Fact]
    public void History_NewCriteriaVersionTakingEffectLater_IsCriteria_OnItsEffectiveDate()
    {
        var x = new Example();
        x.Submit("A", ["kg-1"], claims: new PriorityClaim("first", null));
        x.Submit("B", ["kg-1"], claims: new PriorityClaim("extraordinary", null));
        x.Ok(new ClaimReviewed("A", 0, true, "document-confirmed"));
        x.Ok(new ClaimReviewed("B", 0, true, "document-confirmed"));
        var effective = new LocalDate(2027, 2, 1);
        var published = x.Ok(new CriteriaPublished(PositionWorld.Variant(DefaultCriteria.Value, 0) with { Version = "2027.2", EffectiveFrom = effective }));
        x.Position("A", "kg-1").Should().Be(2, "extraordinary is still the better tier until February");

        x.World.AdvanceTo(new LocalDate(2027, 2, 10));

        var step = x.Steps("A", "kg-1")[^1];
        Line(step).Should().Be($"2→1 criteria-1[{published}]");
        (step.Date, step.FirstSeq, step.LastSeq).Should().Be((effective, (long?)null, (long?)null));
        x.World.Index.AsOf.Should().Be(new LocalDate(2027, 2, 10));
    }

    [Fact]
    public void History_KindergartenCatchmentChanged_IsCatchment()
    {
        var x = new Example();
        x.Submit("A", ["kg-1"]);
        x.Submit("B", ["kg-1"], district: "d1");
        var reregistered = x.Ok(new KindergartenRegistered("kg-1", "Kindergarten 1", "d1", ["d2"]));

        x.Lines("A", "kg-1")[^1].Should().Be($"2→1 catchment-1[{reregistered}]");
        x.Lines("B", "kg-1")[^1].Should().Be($"1→2 catchment+1[{reregistered}]");
        x.Steps("A", "kg-1")[^1].Tier.Should().Be("catchment");
        x.Steps("B", "kg-1")[^1].Tier.Should().Be("general");
    }

    [Fact]
    public void History_NewEnrolmentYear_IsACalendarStepOnTheCutoffDate()
    {
        var x = new Example();
        // A waits from now (2026 queue, early group); B from 1 September (2027 queue, junior).
        x.Submit("A", ["kg-1"]);
        x.Submit("B", ["kg-1"], desired: new LocalDate(2027, 9, 1));
        x.World.Index.PositionsOf("A")!.Positions.Single().Should().Match<KinderQueue.Core.Allocation.QueuePosition>(p => p.Year == 2026 && p.Group == "early");

        x.World.AdvanceTo(new LocalDate(2027, 9, 15));

        var a = x.Steps("A", "kg-1")[^1];
        (Line(a), a.Date, a.Group, a.Year, a.FirstSeq).Should().Be(("1→1 calendar0[]", new LocalDate(2027, 9, 1), "junior", 2027, (long?)null));
        x.Lines("B", "kg-1")[^1].Should().Be("1→2 calendar+1[]");
        x.World.Index.PositionsOf("A")!.Positions.Single().From.Should().Be(new LocalDate(2027, 9, 15));
    }

    [Fact]
    public void History_CapacityLoad_IsAContextStepWithoutAPositionChange()
    {
        var x = new Example();
        x.Submit("A", ["kg-1"], desired: new LocalDate(2027, 9, 1));
        x.Submit("B", ["kg-1"], desired: new LocalDate(2027, 9, 1));
        var load = x.Ok(new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 3), new CapacityRow("kg-2", "junior", 2027, 5)]));
        x.Ok(new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 3)]));

        x.Lines("B", "kg-1")[^1].Should().Be($"2→2 capacity0[{load}] seats 1→3");
        x.Steps("A", "kg-1").Should().HaveCount(2, "a load that changes no seat count is no step");
    }

    // ------------------------------------------------------------------------------ lookups

    [Fact]
    public void Lookups_UnknownNumber_AreNull()
    {
        var x = new Example();

        x.World.Index.PositionsOf("NOPE").Should().BeNull();
        x.World.Index.HistoryOf("NOPE").Should().BeNull();
        x.World.Index.Queue("kg-1", "junior", 2027).Should().BeNull();
        x.World.Index.QueuesOf("kg-9").Should().BeEmpty();
    }

    [Fact]
    public void QueuesOf_Kindergarten_ListsItsQueuesWithMembersPerTier()
    {
        var x = new Example();
        x.Submit("A", ["kg-1"]);
        x.Submit("B", ["kg-1", "kg-2"], district: "d1");
        x.Submit("C", ["kg-1"], desired: new LocalDate(2027, 9, 1));

        var queues = x.World.Index.QueuesOf("kg-1");

        queues.Select(q => (q.Group, q.Year, q.Total)).Should().Equal(("early", 2026, 2), ("junior", 2027, 1));
        queues[0].Tiers.Select(t => (t.Tier, t.Count)).Should().Equal(
            ("extraordinary", 0), ("first", 0), ("sibling", 0), ("catchment", 1), ("general", 1));
        x.World.Index.Queue("kg-2", "early", 2026)!.Total.Should().Be(1);
    }

    [Fact]
    public void Observe_EntryOutOfOrder_IsRefused()
    {
        var x = new Example();
        var state = x.World.State;
        var entry = x.World.Log[^1].Entry;

        var again = () => x.World.Index.Observe(entry, x.World.Log[^1].Event, state);

        again.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void HistoryJson_IsCanonical_WithTheFieldsOfTheSpec()
    {
        var x = new Example();
        x.Submit("A", ["kg-1"]);
        x.Submit("B", ["kg-1"], district: "d1");

        var json = System.Text.Encoding.UTF8.GetString(PositionHistoryJson.ToCanonicalBytes(x.World.Index.HistoryOf("A")!));

        json.Should().Be("""
            {"asOf":"2027-01-11","kindergartens":[{"kindergarten":"kg-1","listed":true,"steps":[{"after":1,"before":null,"date":"2027-01-11","firstSeq":9,"group":"early","lastSeq":9,"reasons":[{"count":0,"more":0,"reason":"own-submitted","seqs":[9]}],"seats":null,"status":null,"tier":"general","year":2026},{"after":2,"before":1,"date":"2027-01-11","firstSeq":10,"group":"early","lastSeq":10,"reasons":[{"count":1,"more":0,"reason":"new-ahead","seqs":[10]}],"seats":null,"status":null,"tier":"general","year":2026}]}],"number":"A","size":11}
            """);
    }
}
