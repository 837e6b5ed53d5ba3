using System.Collections.Immutable;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using KinderQueue.Core.Tests.Criteria;
using NodaTime;

namespace KinderQueue.Core.Tests.State;

/// <summary>The fold of the log (SPEC.md §8): rules per event, atomic rejection, and replay determinism.</summary>
public sealed class QueueStateTests
{
    private static readonly CriteriaDocument Default = DefaultCriteria.Value;

    // Moscow is UTC+3 all year: 06:00Z is 09:00 local on the same date.
    private static Instant On(int year, int month, int day, int hourUtc = 6) => Instant.FromUtc(year, month, day, hourUtc, 0);

    private static readonly LocalDate RoundDate = new(2027, 5, 1);
    private static readonly LocalDate September = new(2027, 9, 1);

    /// <summary>A log under construction: each event is offered to the fold and appended to the chain only if accepted.</summary>
    private sealed class TestLog
    {
        public QueueState State { get; } = new();
        public LogChain Chain { get; } = new();
        public List<byte[]> Lines { get; } = [];

        public ValidationProblem? Try(Instant at, LogEvent e)
        {
            var entry = new LogEntry(State.Size, Formats.TruncateToMillisecond(at), "staff:s-1", e.Type, EventCodec.Encode(e), Chain.Head.ToArray());
            var problem = State.Apply(entry, e);
            if (problem is null)
            {
                var (appended, bytes, _) = Chain.Append(at, "staff:s-1", e);
                appended.Seq.Should().Be(entry.Seq);
                Lines.Add(bytes);
            }
            return problem;
        }

        public void Ok(Instant at, LogEvent e) => Try(at, e).Should().BeNull($"{e.Type} should be accepted");

        public void Rejects(Instant at, LogEvent e, string code, string path) =>
            Try(at, e).Should().BeEquivalentTo(new { Code = code, Path = path });

        public ApplicationStatus Status(string number) => State.Applications[number].Status;

        public Rounds.RoundOutcome Round(string id, LocalDate date, LocalDate startDate)
        {
            var outcome = Rounds.Decide(State, id, date, startDate).GetValueOrThrow();
            Ok(date.AtStartOfDayInZone(DateTimeZoneProviders.Tzdb["Europe/Moscow"]).ToInstant() + Duration.FromHours(10), outcome.Decision);
            return outcome;
        }
    }

    private static ApplicationSubmitted Submitted(string number, string[] preferences, string birth = "2024-03", LocalDate? desired = null,
        string district = "central", Instant? registeredAt = null, params PriorityClaim[] claims) =>
        new(number, "new", "portal", registeredAt ?? On(2027, 2, 1), NodaTime.Text.YearMonthPattern.Iso.Parse(birth).Value, district,
            [.. preferences], desired ?? September, [.. claims], new string('0', 64));

    /// <summary>Default criteria published in December, two districts, two kindergartens with one junior seat each in 2027.</summary>
    private static TestLog World(CriteriaDocument? criteria = null)
    {
        var log = new TestLog();
        log.Ok(On(2026, 12, 1), new CriteriaPublished(criteria ?? Default));
        log.Ok(On(2026, 12, 2), new DistrictRegistered("central", "Центральный район"));
        log.Ok(On(2026, 12, 2), new DistrictRegistered("north", "Северный район"));
        log.Ok(On(2026, 12, 3), new KindergartenRegistered("kg-1", "Детский сад № 1", "central", ["central"]));
        log.Ok(On(2026, 12, 3), new KindergartenRegistered("kg-2", "Детский сад № 2", "north", []));
        log.Ok(On(2026, 12, 4), new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 1), new CapacityRow("kg-2", "junior", 2027, 1)]));
        return log;
    }

    /// <summary>World plus A-1 (earlier) and A-2, both junior, both listing kg-1 then kg-2; the round offers A-1 kg-1 and A-2 kg-2.</summary>
    private static TestLog Offered()
    {
        var log = World();
        log.Ok(On(2027, 2, 1), Submitted("A-1", ["kg-1", "kg-2"], registeredAt: On(2027, 2, 1)));
        log.Ok(On(2027, 2, 2), Submitted("A-2", ["kg-1", "kg-2"], registeredAt: On(2027, 2, 2)));
        var round = log.Round("2027-main", RoundDate, September);
        round.Decision.Offers.Select(o => (o.Number, o.Kindergarten)).Should().Equal(("A-1", "kg-1"), ("A-2", "kg-2"));
        log.Status("A-1").Should().Be(ApplicationStatus.Offered);
        return log;
    }

    private static int FreeSeats(QueueState state, string kindergarten) =>
        RoundBuilder.Build(state, RoundDate, September).GetValueOrThrow().Programs.Single(p => p.Kindergarten == kindergarten && p.Group == "junior").Seats;

    // ----------------------------------------------------------------- criteria

    [Theory]
    [InlineData("2026-12-31T20:59:59Z")] // 23:59:59 on 31 December in Moscow
    [InlineData("2026-12-31T21:00:00Z")] // 00:00 on 1 January in Moscow, still 31 December in UTC
    [InlineData("2027-01-01T20:59:59Z")] // the effective day itself, in Moscow
    public void Criteria_PublishedOnOrBeforeTheEffectiveDay_IsAccepted(string at)
    {
        var state = new QueueState();
        var e = new CriteriaPublished(Default); // effective 2027-01-01

        state.Apply(Entry(0, at, e), e).Should().BeNull();

        state.CriteriaVersions.Should().ContainSingle();
        state.CriteriaInForce(new LocalDate(2027, 1, 1)).Should().BeSameAs(Default);
        state.CriteriaInForce(new LocalDate(2026, 12, 31)).Should().BeNull();
    }

    [Theory]
    [InlineData("2027-01-01T21:00:00Z")] // 2 January in Moscow, although still 1 January in UTC
    [InlineData("2027-01-02T06:00:00Z")]
    [InlineData("2028-06-01T06:00:00Z")]
    public void Criteria_EffectiveBeforeThePublicationDate_IsRejectedAsRetroactive(string at)
    {
        var state = new QueueState();
        var e = new CriteriaPublished(Default);

        state.Apply(Entry(0, at, e), e).Should().BeEquivalentTo(new { Code = "criteria.retroactive", Path = "$.criteria.effectiveFrom" });

        state.Size.Should().Be(0);
        state.CriteriaVersions.Should().BeEmpty();
    }

    [Fact]
    public void Criteria_SameVersionTwice_IsRejected()
    {
        var log = World();

        log.Rejects(On(2026, 12, 5), new CriteriaPublished(Default with { EffectiveFrom = new LocalDate(2027, 6, 1) }),
            "criteria.duplicate-version", "$.criteria.version");
    }

    [Fact]
    public void CriteriaInForce_PicksTheLatestEffectiveDate_ThenTheLaterPublication()
    {
        var log = World();
        var summer = Default with { Version = "2027.2", EffectiveFrom = new LocalDate(2027, 6, 1) };
        var summerFix = Default with { Version = "2027.3", EffectiveFrom = new LocalDate(2027, 6, 1), MaxPreferences = 3 };
        log.Ok(On(2027, 3, 1), new CriteriaPublished(summerFix));
        log.Ok(On(2027, 3, 2), new CriteriaPublished(summer));

        log.State.CriteriaInForce(new LocalDate(2027, 5, 31))!.Version.Should().Be("2027.1");
        log.State.CriteriaInForce(new LocalDate(2027, 6, 1))!.Version.Should().Be("2027.2", "published later with the same effective date");
    }

    // ----------------------------------------------------------------- submissions

    [Fact]
    public void Submission_DuplicateApplicationNumber_IsRejected()
    {
        var log = World();
        log.Ok(On(2027, 2, 1), Submitted("A-1", ["kg-1"]));

        log.Rejects(On(2027, 2, 2), Submitted("A-1", ["kg-2"]), "application.duplicate-number", "$.number");

        log.State.Applications["A-1"].Preferences.Should().Equal("kg-1");
    }

    [Fact]
    public void Submission_BeforeAnyCriteriaAreInForce_IsRejected()
    {
        var log = World(); // the default criteria take effect on 1 January 2027

        log.Rejects(On(2026, 12, 20), Submitted("A-1", ["kg-1"], desired: September), "application.no-criteria", "$");
    }

    public static TheoryData<string, string, string> SubmissionRules => new()
    {
        { "kind", "application.kind", "$.kind" },
        { "channel", "application.channel", "$.channel" },
        { "district", "application.unknown-district", "$.district" },
        { "no preferences", "application.no-preferences", "$.preferences" },
        { "six preferences", "application.too-many-preferences", "$.preferences" },
        { "unknown kindergarten", "application.unknown-kindergarten", "$.preferences[1]" },
        { "duplicate preference", "application.duplicate-preference", "$.preferences[1]" },
        { "desired start past", "application.desired-start-past", "$.desiredStart" },
        { "born next month", "application.birth-future", "$.birthMonth" },
        { "seven by desired start", "application.too-old", "$.birthMonth" },
        { "claim of general tier", "application.unknown-tier", "$.claims[0].tier" },
        { "claim of catchment tier", "application.unknown-tier", "$.claims[0].tier" },
        { "sibling claim without kindergarten", "application.sibling-kindergarten", "$.claims[0].kindergarten" },
        { "first claim naming a kindergarten", "application.claim-kindergarten", "$.claims[0].kindergarten" },
    };

    [Theory]
    [MemberData(nameof(SubmissionRules))]
    public void Submission_BreakingARule_IsRejectedWithItsCodeAndPath(string rule, string code, string path)
    {
        var log = World();
        var at = On(2027, 2, 1);
        var ok = Submitted("A-1", ["kg-1", "kg-2"]);
        var e = rule switch
        {
            "kind" => ok with { Kind = "returning" },
            "channel" => ok with { Channel = "email" },
            "district" => ok with { District = "south" },
            "no preferences" => ok with { Preferences = [] },
            "six preferences" => ok with { Preferences = ["kg-1", "kg-2", "kg-3", "kg-4", "kg-5", "kg-6"] },
            "unknown kindergarten" => ok with { Preferences = ["kg-1", "kg-9"] },
            "duplicate preference" => ok with { Preferences = ["kg-1", "kg-1"] },
            "desired start past" => ok with { DesiredStart = new LocalDate(2027, 1, 31) },
            "born next month" => ok with { BirthMonth = new YearMonth(2027, 3) },
            "seven by desired start" => ok with { BirthMonth = new YearMonth(2020, 8) },
            "claim of general tier" => ok with { Claims = [new PriorityClaim("general", null)] },
            "claim of catchment tier" => ok with { Claims = [new PriorityClaim("catchment", null)] },
            "sibling claim without kindergarten" => ok with { Claims = [new PriorityClaim("sibling", null)] },
            "first claim naming a kindergarten" => ok with { Claims = [new PriorityClaim("first", "kg-1")] },
            _ => throw new ArgumentOutOfRangeException(nameof(rule)),
        };

        log.Rejects(at, e, code, path);
        log.State.Applications.Should().BeEmpty();
        log.Ok(at, ok);
    }

    // ----------------------------------------------------------------- decisions and offers

    [Fact]
    public void Decision_OfferToApplicantWhoIsNotWaiting_IsRejected()
    {
        var log = Offered();
        var d = new AllocationDecided("again", log.State.Size, "2027.1", RoundDate, September, 2027,
            [new Offer("A-1", "kg-2", "junior", RoundDate.PlusDays(10))], []);

        log.Rejects(On(2027, 5, 2), d, "decision.not-waiting", "$.offers[0].number");
        log.Rejects(On(2027, 5, 2), d with { Offers = [new Offer("A-404", "kg-2", "junior", RoundDate.PlusDays(10))] },
            "decision.not-waiting", "$.offers[0].number");
        // SPEC.md §8.3 names this decision.not-open; the fold in progress reports decision.not-waiting. Either way: rejected, at the path.
        log.Try(On(2027, 5, 2), d with { Offers = [], Archived = ["A-404"] }).Should().Match<ValidationProblem>(p => p.Path == "$.archived[0]" && p.Code.StartsWith("decision."));
        log.Rejects(On(2027, 5, 2), d with { Offers = [], Basis = log.State.Size + 1 }, "decision.basis", "$.basis");
    }

    [Fact]
    public void Decision_OfferingTheSameApplicationTwice_IsRejected()
    {
        var log = World();
        log.Ok(On(2027, 2, 1), Submitted("A-1", ["kg-1", "kg-2"]));
        var deadline = RoundDate.PlusDays(10);

        // Two seats for one child would double-count the seats it holds.
        log.Try(On(2027, 5, 1), new AllocationDecided("r", log.State.Size, "2027.1", RoundDate, September, 2027,
            [new Offer("A-1", "kg-1", "junior", deadline), new Offer("A-1", "kg-2", "junior", deadline)], []))
            .Should().Match<ValidationProblem>(p => p.Path == "$.offers[1].number");
        log.Status("A-1").Should().Be(ApplicationStatus.Waiting);
    }

    [Theory]
    [InlineData(OfferOutcome.Pause, ApplicationStatus.Paused)]
    [InlineData(OfferOutcome.Requeue, ApplicationStatus.Waiting)]
    [InlineData(OfferOutcome.Withdraw, ApplicationStatus.Withdrawn)]
    public void Decline_SetsTheStatusTheCriteriaPrescribe(OfferOutcome onDecline, ApplicationStatus expected)
    {
        var log = World(Default with { Offer = Default.Offer with { OnDecline = onDecline } });
        log.Ok(On(2027, 2, 1), Submitted("A-1", ["kg-1"]));
        log.Round("r1", RoundDate, September);

        log.Ok(On(2027, 5, 3), new OfferResponded("A-1", Accepted: false));

        log.Status("A-1").Should().Be(expected);
        log.State.Applications["A-1"].Placement.Should().BeNull();
        FreeSeats(log.State, "kg-1").Should().Be(1, "the declined seat goes back into the next round");
    }

    [Fact]
    public void Decline_UnderDefaultCriteria_Pauses_AndAChangeMakesTheApplicationWaitAgain()
    {
        var log = Offered();

        log.Ok(On(2027, 5, 3), new OfferResponded("A-1", false));
        log.Status("A-1").Should().Be(ApplicationStatus.Paused);
        log.Rejects(On(2027, 5, 3), new OfferResponded("A-1", true), "offer.none", "$.number");

        log.Ok(On(2027, 5, 4), new ApplicationChanged("A-1", ["kg-2"], September));
        log.Status("A-1").Should().Be(ApplicationStatus.Waiting);
        log.State.Applications["A-1"].Seq.Should().Be(6, "the original place (sequence number) is kept");
    }

    [Fact]
    public void Expiry_BeforeOrOnTheDeadline_IsRejected_AfterItPauses()
    {
        var log = Offered();
        var deadline = RoundDate.PlusDays(Default.Offer.DeadlineDays);
        log.State.Applications["A-1"].Placement!.Deadline.Should().Be(deadline);

        log.Rejects(On(2027, 5, 8), new OffersExpired(deadline.PlusDays(-3), ["A-1"]), "offer.not-expired", "$.numbers[0]");
        log.Rejects(On(2027, 5, 11), new OffersExpired(deadline, ["A-1"]), "offer.not-expired", "$.numbers[0]");
        log.Ok(On(2027, 5, 12), new OffersExpired(deadline.PlusDays(1), ["A-1"]));

        log.Status("A-1").Should().Be(ApplicationStatus.Paused);
        log.Rejects(On(2027, 5, 12), new OffersExpired(deadline.PlusDays(1), ["A-1"]), "offer.none", "$.numbers[0]");
    }

    [Fact]
    public void Accept_ThenEnrolmentConfirmed_Enrols()
    {
        var log = Offered();

        log.Rejects(On(2027, 5, 2), new EnrolmentConfirmed("A-1"), "enrolment.not-accepted", "$.number");
        log.Ok(On(2027, 5, 2), new OfferResponded("A-1", true));
        log.Status("A-1").Should().Be(ApplicationStatus.Accepted);
        log.Ok(On(2027, 6, 1), new EnrolmentConfirmed("A-1"));

        log.Status("A-1").Should().Be(ApplicationStatus.Enrolled);
        log.State.Applications["A-1"].Placement.Should().Be(new Placement("kg-1", "junior", 2027, null, false));
        log.State.HeldSeats()[new ProgramId("kg-1", "junior", 2027)].Should().Be(1);
        log.Rejects(On(2027, 6, 2), new ApplicationWithdrawn("A-1", "parent-request"), "application.closed", "$.number");
    }

    [Fact]
    public void Accept_AfterTheDeadline_IsRejected_OnTheDeadlineDayIsAccepted()
    {
        var log = Offered();

        // 11 May 2027 21:00Z is already 12 May in Moscow: one day past the deadline.
        log.Rejects(Instant.FromUtc(2027, 5, 11, 21, 0), new OfferResponded("A-1", true), "offer.past-deadline", "$.response");
        log.Ok(Instant.FromUtc(2027, 5, 11, 20, 59), new OfferResponded("A-1", true));
    }

    [Fact]
    public void Withdrawal_OfAnAcceptedOffer_FreesTheSeatForTheNextRound()
    {
        var log = Offered();
        log.Ok(On(2027, 5, 2), new OfferResponded("A-1", true));
        FreeSeats(log.State, "kg-1").Should().Be(0);

        log.Ok(On(2027, 5, 5), new ApplicationWithdrawn("A-1", "parent-request"));

        log.Status("A-1").Should().Be(ApplicationStatus.Withdrawn);
        log.State.Applications["A-1"].Placement.Should().BeNull();
        FreeSeats(log.State, "kg-1").Should().Be(1);
        FreeSeats(log.State, "kg-2").Should().Be(0, "A-2's open offer still holds its seat");
        log.Ok(On(2027, 5, 6), new ApplicationWithdrawn("A-2", "parent-request"));
        FreeSeats(log.State, "kg-2").Should().Be(1, "withdrawing an open offer frees the seat too");
    }

    [Fact]
    public void ClaimReview_VerifiedClaim_CountsInTheNextRound()
    {
        var log = World();
        log.Ok(On(2027, 2, 1), Submitted("A-1", ["kg-2"], registeredAt: On(2027, 2, 1)));
        log.Ok(On(2027, 2, 2), Submitted("A-2", ["kg-2"], registeredAt: On(2027, 2, 2), claims: new PriorityClaim("first", null)));
        log.Rejects(On(2027, 2, 3), new ClaimReviewed("A-2", 1, true, "document-confirmed"), "claim.unknown", "$.claim");
        log.Rejects(On(2027, 2, 3), new ClaimReviewed("A-9", 0, true, "document-confirmed"), "application.unknown", "$.number");

        RoundBuilder.Build(log.State, RoundDate, September).Value!.Applicants.Single(a => a.Number == "A-2").Claims.Single().Verified.Should().BeFalse();
        log.Ok(On(2027, 2, 3), new ClaimReviewed("A-2", 0, true, "document-confirmed"));

        log.State.Applications["A-2"].Claims.Single().Verified.Should().BeTrue();
        Rounds.Decide(log.State, "r", RoundDate, September).Value!.Decision.Offers.Single().Number.Should().Be("A-2");
    }

    // ----------------------------------------------------------------- atomic rejection

    private sealed record Snapshot(long Size, string Applications, string Capacity, int Decisions, int Criteria, int Kindergartens);

    private static Snapshot Take(QueueState s) => new(
        s.Size,
        string.Join(";", s.Applications.Values.OrderBy(a => a.Number, StringComparer.Ordinal)
            .Select(a => $"{a.Number}:{a.Status}:{a.Placement}:{string.Join(",", a.Preferences)}:{string.Join(",", a.Claims.Select(c => c.Verified))}")),
        string.Join(";", s.Capacity.OrderBy(c => c.Key.Kindergarten, StringComparer.Ordinal).ThenBy(c => c.Key.Group, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}")),
        s.Decisions.Count,
        s.CriteriaVersions.Count,
        s.Kindergartens.Count);

    [Fact]
    public void Apply_RejectedEntry_LeavesTheStateUntouched()
    {
        var log = Offered();
        log.Ok(On(2027, 5, 2), Submitted("A-3", ["kg-1"], registeredAt: On(2027, 5, 2)));
        var before = Take(log.State);
        var at = On(2027, 5, 3);

        // Each batch event has a valid first part and a bad second part: nothing of it may be applied.
        log.Rejects(at, new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 30), new CapacityRow("kg-9", "junior", 2027, 1)]),
            "capacity.unknown-kindergarten", "$.rows[1].kindergarten");
        log.Rejects(at, new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 30), new CapacityRow("kg-1", "junior", 2027, 31)]),
            "capacity.duplicate-row", "$.rows[1]");
        log.Rejects(at, new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 30), new CapacityRow("kg-2", "nursery", 2027, 1)]),
            "capacity.unknown-group", "$.rows[1].group");
        log.Rejects(at, new AllocationDecided("bad", log.State.Size, "2027.1", RoundDate, September, 2027,
            [new Offer("A-3", "kg-1", "junior", RoundDate.PlusDays(10)), new Offer("A-1", "kg-1", "junior", RoundDate.PlusDays(10))], []),
            "decision.not-waiting", "$.offers[1].number");
        log.Try(at, new AllocationDecided("bad", log.State.Size, "2027.1", RoundDate, September, 2027,
            [new Offer("A-3", "kg-1", "junior", RoundDate.PlusDays(10))], ["A-404"])).Should().Match<ValidationProblem>(p => p.Path == "$.archived[0]");
        log.Rejects(On(2027, 5, 30), new OffersExpired(new LocalDate(2027, 5, 30), ["A-1", "A-3"]), "offer.none", "$.numbers[1]");
        log.Rejects(at, new KindergartenRegistered("kg-1", "Renamed", "central", ["central", "east"]), "kindergarten.unknown-district", "$.catchment[1]");
        log.Rejects(at, new KindergartenRegistered("KG 3", "Bad id", "central", []), "kindergarten.id", "$.id");
        log.Rejects(at, new DistrictRegistered("East", "Bad id"), "district.id", "$.id");
        log.Rejects(at, Submitted("A-3", ["kg-2"]), "application.duplicate-number", "$.number");
        log.Rejects(at, new ApplicationChanged("A-1", ["kg-2"], September), "application.not-changeable", "$.number");
        log.Rejects(at, new EnrolmentExceptional("A-3", "kg-1", "junior", 2027, " "), "reason.unknown", "$.legalBasis");
        log.Rejects(at, new EnrolmentExceptional("A-3", "kg-9", "junior", 2027, "court-decision"), "enrolment.unknown-kindergarten", "$.kindergarten");
        log.Rejects(at, new CriteriaPublished(Default with { Version = "2027.9", EffectiveFrom = new LocalDate(2027, 5, 2) }),
            "criteria.retroactive", "$.criteria.effectiveFrom");

        Take(log.State).Should().Be(before);
        log.Ok(at, new ApplicationWithdrawn("A-3", "parent-request"));
        log.State.Size.Should().Be(before.Size + 1);
    }

    [Fact]
    public void Apply_EntryWithTheWrongSequenceNumber_IsRejected()
    {
        var state = new QueueState();
        var e = new CriteriaPublished(Default);

        state.Apply(Entry(1, "2026-12-01T06:00:00Z", e), e).Should().BeEquivalentTo(new { Code = "fold.sequence", Path = "$.seq" });
        state.Size.Should().Be(0);
        state.Apply(Entry(0, "2026-12-01T06:00:00Z", e), e).Should().BeNull();
        state.Apply(Entry(0, "2026-12-01T06:00:00Z", new DistrictRegistered("x", "X")), new DistrictRegistered("x", "X"))
            .Should().BeEquivalentTo(new { Code = "fold.sequence", Path = "$.seq" });
        state.Size.Should().Be(1);
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59.999Z")]
    [InlineData("9999-01-01T00:00:00.000Z")]
    [InlineData("0001-01-01T00:00:00.000Z")]
    [InlineData("0001-12-31T23:59:59.999Z")]
    public void Apply_EntryTimeAtTheEndsOfTheCalendar_IsRejectedNotThrown(string at)
    {
        // Found by the verifier's fuzz test: in a zone east of UTC the last instant of 9999 has no local date.
        var state = new QueueState();
        var criteria = new CriteriaPublished(Default);
        state.Apply(Entry(0, "2026-12-01T06:00:00Z", criteria), criteria).Should().BeNull();
        var e = new DistrictRegistered("east", "East");

        state.Apply(Entry(1, at, e), e).Should().BeEquivalentTo(new { Code = "fold.at-range", Path = "$.at" });
        state.Size.Should().Be(1);
        state.Apply(Entry(1, "9998-12-31T23:59:59.999Z", e), e).Should().BeNull();
    }

    [Fact]
    public void Apply_EntryTypeDifferentFromThePayload_IsRejected()
    {
        var state = new QueueState();
        var e = new CriteriaPublished(Default);
        var entry = Entry(0, "2026-12-01T06:00:00Z", e) with { Type = DistrictRegistered.TypeName };

        state.Apply(entry, e).Should().BeEquivalentTo(new { Code = "fold.type", Path = "$.type" });
        state.Size.Should().Be(0);
    }

    private static LogEntry Entry(long seq, string at, LogEvent e) =>
        new(seq, NodaTime.Text.InstantPattern.ExtendedIso.Parse(at).Value, "system", e.Type, EventCodec.Encode(e), LogEntry.GenesisPrev);

    // ----------------------------------------------------------------- full flow and replay

    /// <summary>Two rounds with responses, expiry, a verified claim, a deferral, an archive and an exceptional enrolment.</summary>
    private static TestLog FullFlow()
    {
        var log = World();
        log.Ok(On(2026, 12, 5), new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 2), new CapacityRow("kg-2", "preparatory", 2027, 1)]));
        log.Ok(On(2027, 2, 1), Submitted("A-1", ["kg-1", "kg-2"], registeredAt: On(2027, 2, 1)));
        log.Ok(On(2027, 2, 1), Submitted("A-2", ["kg-1"], registeredAt: On(2027, 2, 1), claims: new PriorityClaim("sibling", "kg-1")));
        log.Ok(On(2027, 2, 2), Submitted("A-3", ["kg-2", "kg-1"], district: "north", registeredAt: On(2027, 2, 2), claims: new PriorityClaim("first", null)));
        log.Ok(On(2027, 2, 3), Submitted("A-4", ["kg-1"], desired: new LocalDate(2028, 9, 1), registeredAt: On(2027, 2, 3)));
        log.Ok(On(2027, 2, 4), Submitted("A-5", ["kg-2"], birth: "2021-01", registeredAt: On(2027, 2, 4)));
        log.Ok(On(2027, 2, 5), Submitted("A-6", ["kg-2", "kg-1"], registeredAt: On(2027, 2, 5)));
        log.Ok(On(2027, 2, 6), Submitted("A-7", ["kg-1"], birth: "2025-06", registeredAt: On(2027, 2, 6)));
        log.Ok(On(2027, 3, 1), new ClaimReviewed("A-3", 0, true, "document-confirmed"));
        log.Ok(On(2027, 3, 2), new ClaimReviewed("A-2", 0, false, "not-eligible"));
        log.Ok(On(2027, 3, 3), new ClaimReviewed("A-2", 0, true, "document-confirmed"));

        log.Round("2027-main", RoundDate, September);
        log.Ok(On(2027, 5, 3), new OfferResponded("A-1", true));
        log.Ok(On(2027, 5, 4), new OfferResponded("A-2", false));
        log.Ok(On(2027, 5, 12), new OffersExpired(new LocalDate(2027, 5, 12),
            [.. log.State.Applications.Values.Where(a => a.Status == ApplicationStatus.Offered).Select(a => a.Number).Order(StringComparer.Ordinal)]));
        log.Ok(On(2027, 5, 20), new EnrolmentConfirmed("A-1"));
        log.Ok(On(2027, 5, 21), new EnrolmentExceptional("A-7", "kg-1", "early", 2027, "court-decision"));
        log.Ok(On(2027, 5, 22), new ApplicationChanged("A-2", ["kg-1", "kg-2"], September));
        log.Ok(On(2027, 5, 23), new ApplicationChanged("A-5", ["kg-1"], September)); // kg-1 has no preparatory group

        log.Round("2027-june", new LocalDate(2027, 6, 1), September);
        log.Ok(On(2028, 4, 1), new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "middle", 2028, 1)]));
        log.Round("2028-main", new LocalDate(2028, 5, 1), new LocalDate(2028, 9, 1));
        return log;
    }

    [Fact]
    public void FullFlow_GoesThroughTheDocumentedStatuses()
    {
        var log = FullFlow();

        var first = log.State.Decisions[0].Decision;
        first.Offers.Select(o => (o.Number, o.Kindergarten, o.Group)).Should().Equal(
            ("A-1", "kg-1", "junior"), ("A-2", "kg-1", "junior"), ("A-3", "kg-2", "junior"), ("A-5", "kg-2", "preparatory"));
        log.State.Decisions.Should().HaveCount(3);
        log.State.Decisions[1].Decision.Offers.Select(o => (o.Number, o.Kindergarten)).Should().Equal(("A-2", "kg-1"), ("A-6", "kg-2"));
        log.State.Decisions[2].Decision.Archived.Should().Equal(["A-5"], "waiting again after the change, and 7 by 1 September 2028");
        log.Status("A-5").Should().Be(ApplicationStatus.Archived);
        log.Status("A-3").Should().Be(ApplicationStatus.Paused, "its offer expired");
        log.Status("A-1").Should().Be(ApplicationStatus.Enrolled);
        log.Status("A-7").Should().Be(ApplicationStatus.Enrolled);
        log.State.Applications["A-7"].Placement!.OutsideAlgorithm.Should().BeTrue();
        log.Status("A-4").Should().Be(ApplicationStatus.Offered, "deferred in 2027, competes for 2028");
        log.State.Applications["A-4"].Placement!.Year.Should().Be(2028);
    }

    [Fact]
    public void Replay_OfTheSameEntries_GivesTheSameDecisionsAndStatuses()
    {
        var log = FullFlow();

        var replayed = new QueueState();
        foreach (var line in log.Lines)
        {
            var entry = LogEntry.Parse(line).GetValueOrThrow();
            var e = EventCodec.Decode(entry.Type, entry.Payload).GetValueOrThrow();
            replayed.Apply(entry, e).Should().BeNull();
        }

        replayed.Size.Should().Be(log.State.Size);
        replayed.Decisions.Select(d => (d.Seq, Bytes: Convert.ToHexString(EventCodec.Encode(d.Decision))))
            .Should().Equal(log.State.Decisions.Select(d => (d.Seq, Bytes: Convert.ToHexString(EventCodec.Encode(d.Decision)))));
        Take(replayed).Should().Be(Take(log.State));
        replayed.Applications.Values.Select(a => (a.Number, a.Status, a.Placement))
            .Should().BeEquivalentTo(log.State.Applications.Values.Select(a => (a.Number, a.Status, a.Placement)));
    }

    [Fact]
    public void Replay_EveryDecision_IsReDerivedFromItsBasisPrefix()
    {
        var log = FullFlow();
        var decisions = log.State.Decisions;
        decisions.Should().NotBeEmpty();

        foreach (var (seq, decision) in decisions)
        {
            var prefix = new QueueState();
            foreach (var line in log.Lines.Take((int)decision.Basis))
            {
                var entry = LogEntry.Parse(line).GetValueOrThrow();
                prefix.Apply(entry, EventCodec.Decode(entry.Type, entry.Payload).GetValueOrThrow()).Should().BeNull();
            }

            var again = Rounds.Decide(prefix, decision.Round, decision.Date, decision.StartDate).GetValueOrThrow();

            EventCodec.Encode(again.Decision).Should().Equal(LogEntry.Parse(log.Lines[(int)seq]).Value!.Payload.ToArray(), $"decision at {seq}");
        }
    }

    [Fact]
    public void Rounds_Decide_ChecksItsArguments()
    {
        var log = World();

        Rounds.Decide(log.State, " ", RoundDate, September).Problems.Should().ContainSingle().Which.Code.Should().Be("round.id");
        Rounds.Decide(log.State, "r", RoundDate, RoundDate.PlusDays(-1)).Problems.Should().ContainSingle()
            .Which.Should().BeEquivalentTo(new { Code = "round.start-before-date", Path = "$.startDate" });
        Rounds.Decide(log.State, "r", new LocalDate(2026, 12, 31), September).Problems.Should().ContainSingle()
            .Which.Should().BeEquivalentTo(new { Code = "round.no-criteria", Path = "$.date" });
        Rounds.Decide(log.State, "r", RoundDate, September).Value!.Decision.Basis.Should().Be(log.State.Size);
    }

    [Fact]
    public void Public_reasons_are_published_codes_and_typed_text_is_rejected()
    {
        var log = World();
        log.Ok(On(2027, 2, 1), Submitted("A-1", ["kg-1"], claims: new PriorityClaim("first", null)));
        log.Ok(On(2027, 2, 1, 7), Submitted("A-2", ["kg-1"]));
        log.Ok(On(2027, 2, 1, 8), Submitted("A-3", ["kg-1"]));
        const string typed = "Диагноз F84, звонить маме +7 900 123-45-67";
        log.Rejects(On(2027, 2, 2), new ClaimReviewed("A-1", 0, true, typed), "reason.unknown", "$.reason");
        log.Rejects(On(2027, 2, 2), new ApplicationWithdrawn("A-2", typed), "reason.unknown", "$.reason");
        log.Rejects(On(2027, 2, 2), new CapacityLoaded(typed, [new CapacityRow("kg-1", "junior", 2027, 2)]), "reason.unknown", "$.reason");
        log.Rejects(On(2027, 2, 2), new EnrolmentExceptional("A-3", "kg-1", "junior", 2027, "Решение суда по делу № 2а-1234/2027, Иванова И. И."),
            "reason.unknown", "$.legalBasis");
        // A label is not a code either: the event carries the id.
        log.Rejects(On(2027, 2, 2), new ApplicationWithdrawn("A-2", "Переезд в другой регион"), "reason.unknown", "$.reason");
        log.Lines.Should().NotContain(line => System.Text.Encoding.UTF8.GetString(line).Contains("+7 900"));

        log.Ok(On(2027, 2, 3), new ClaimReviewed("A-1", 0, true, "document-confirmed"));
        log.Ok(On(2027, 2, 3), new ApplicationWithdrawn("A-2", "moved-away"));
        log.Ok(On(2027, 2, 3), new CapacityLoaded("renovation", [new CapacityRow("kg-1", "junior", 2027, 2)]));
        log.Ok(On(2027, 2, 3), new EnrolmentExceptional("A-3", "kg-1", "junior", 2027, "court-decision"));
    }

    [Fact]
    public void A_log_under_criteria_without_code_lists_still_folds_its_text()
    {
        // Criteria written before SPEC §4.6: no 'reasons'. Their logs keep the text they were written with.
        var log = World(Default with { Reasons = null });
        log.Ok(On(2027, 2, 1), Submitted("A-1", ["kg-1"]));
        log.Ok(On(2027, 2, 1, 7), Submitted("A-2", ["kg-1"]));
        log.Ok(On(2027, 2, 2), new CapacityLoaded("capacity 2027 loaded from the department's CSV", [new CapacityRow("kg-1", "junior", 2027, 2)]));
        log.Ok(On(2027, 2, 2), new ApplicationWithdrawn("A-1", "family moved to another region"));
        log.Rejects(On(2027, 2, 2), new EnrolmentExceptional("A-2", "kg-1", "junior", 2027, " "), "enrolment.no-legal-basis", "$.legalBasis");
        log.Ok(On(2027, 2, 2), new EnrolmentExceptional("A-2", "kg-1", "junior", 2027, "Court decision 2-1/2027"));
    }

    [Fact]
    public void Public_names_and_round_ids_refuse_hidden_characters()
    {
        var log = World();
        log.Rejects(On(2026, 12, 5), new DistrictRegistered("east", "Восточный\u202e район"), "text.character", "$.name");
        log.Rejects(On(2026, 12, 5), new DistrictRegistered("east", "Восточный\nрайон"), "text.character", "$.name");
        log.Rejects(On(2026, 12, 5), new KindergartenRegistered("kg-3", "  ", "central", []), "text.blank", "$.name");
        log.Rejects(On(2026, 12, 5), new KindergartenRegistered("kg-3", "Сад\u200b№ 3", "central", []), "text.character", "$.name");
        log.Ok(On(2027, 2, 1), Submitted("A-1", ["kg-1"]));
        var outcome = Rounds.Decide(log.State, "2027\u202e-main", RoundDate, September).GetValueOrThrow();
        log.Rejects(On(2027, 5, 1), outcome.Decision, "text.character", "$.round");
    }

    // ----------------------------------------------------------------- federal portal (issue 14)

    [Fact]
    public void PortalStatus_SpeaksOnlyOfFederalApplications_WithTheOffersPublicDetails()
    {
        var log = World();
        var federal = Submitted("F-1", ["kg-1", "kg-2"], registeredAt: On(2027, 2, 1)) with { Channel = "federal" };
        log.Ok(On(2027, 2, 1), federal);
        Core.Federal.PortalStatus.UpdatesFor(federal, log.State).Should().Equal(new Core.Federal.PortalStatusUpdate("F-1", "accepted", null, null, null));
        var local = Submitted("A-2", ["kg-1", "kg-2"], registeredAt: On(2027, 2, 2));
        log.Ok(On(2027, 2, 2), local);
        Core.Federal.PortalStatus.UpdatesFor(local, log.State).Should().BeEmpty("a portal application hears nothing of the others");

        var round = log.Round("2027-main", RoundDate, September);
        var offer = round.Decision.Offers.Single(o => o.Number == "F-1");
        Core.Federal.PortalStatus.UpdatesFor(round.Decision, log.State)
            .Should().Equal(new Core.Federal.PortalStatusUpdate("F-1", "offered", offer.Kindergarten, offer.Group, offer.Deadline));

        var decline = new OfferResponded("F-1", false);
        log.Ok(On(2027, 5, 2), decline);
        Core.Federal.PortalStatus.UpdatesFor(decline, log.State).Select(u => u.Status).Should().Equal("declined");
        var withdrawn = new ApplicationWithdrawn("F-1", "parent-request");
        log.Ok(On(2027, 5, 3), withdrawn);
        Core.Federal.PortalStatus.UpdatesFor(withdrawn, log.State).Select(u => u.Status).Should().Equal("withdrawn");
    }
}
