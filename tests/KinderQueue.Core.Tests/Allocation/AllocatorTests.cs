using System.Collections.Immutable;
using System.Text.Json.Nodes;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Tests.Criteria;
using NodaTime;
using NodaTime.Text;

namespace KinderQueue.Core.Tests.Allocation;

/// <summary>Example rounds for the DOMAIN.md test scenarios, queue positions, and scenario parsing errors.</summary>
public sealed class AllocatorTests
{
    private static readonly LocalDate RoundDate = new(2027, 5, 1);
    private static readonly LocalDate September = new(2027, 9, 1);

    // A child born in March 2024 is 3 on 1 September 2027: junior group.
    private const string Junior = "2024-03";

    private static Instant At(string text) => InstantPattern.ExtendedIso.Parse(text).Value;

    private static KindergartenInfo Kg(string id, string district = "central", params string[] catchment) => new(id, district, [.. catchment]);

    private static ApplicantClaim Verified(string tier, string? kg = null) => new(tier, kg, true);

    private static ApplicantClaim Unverified(string tier, string? kg = null) => new(tier, kg, false);

    private static Applicant App(string number, long seq, string registeredAt, string[] preferences, string birth = Junior,
        string district = "central", LocalDate? desiredStart = null, params ApplicantClaim[] claims) =>
        new(number, seq, At(registeredAt), YearMonthPattern.Iso.Parse(birth).Value, district, [.. preferences],
            desiredStart ?? September, [.. claims]);

    private static AllocationInput Input(IEnumerable<KindergartenInfo> kgs, IEnumerable<ProgramSeats> programs, IEnumerable<Applicant> applicants,
        LocalDate? startDate = null) =>
        new(DefaultCriteria.Value, RoundDate, startDate ?? September, [.. kgs], [.. programs], [.. applicants]);

    private static Dictionary<string, string> OffersOf(AllocationResult r) => r.Offers.ToDictionary(o => o.Number, o => o.Kindergarten);

    private static ApplicantExplanation Explanation(AllocationResult r, string number) => r.Explanations.Single(e => e.Number == number);

    // ----------------------------------------------------------------- DOMAIN scenario 1: sibling

    private static AllocationResult SiblingRound() => Allocator.Allocate(Input(
        [Kg("kg-a"), Kg("kg-b")],
        [new("kg-a", "junior", 1), new("kg-b", "junior", 1)],
        [
            App("A-0001", 10, "2027-01-10T09:00:00Z", ["kg-a", "kg-b"]),
            App("A-0002", 11, "2027-02-10T09:00:00Z", ["kg-a", "kg-b"], claims: Verified("sibling", "kg-a")),
            App("A-0003", 12, "2027-03-10T09:00:00Z", ["kg-b"], claims: Verified("sibling", "kg-a")),
        ]));

    [Fact]
    public void Allocate_SiblingPriority_WinsOverEarlierGeneralApplicant()
    {
        var r = SiblingRound();

        OffersOf(r)["A-0002"].Should().Be("kg-a");
        var first = Explanation(r, "A-0001").Preferences[0];
        first.Outcome.Should().Be(PreferenceOutcome.Outranked);
        first.Own!.Tier.Should().Be("general");
        first.LastAdmitted.Should().Be(new RankedKey("sibling", At("2027-02-10T09:00:00Z"), 11, 1));
    }

    [Fact]
    public void Allocate_SiblingPriority_CountsOnlyAtTheSiblingsKindergarten()
    {
        var r = SiblingRound();

        // At kg-b the sibling claim (for kg-a) is worth nothing: the earlier general applicant wins.
        OffersOf(r).Should().Equal(new Dictionary<string, string> { ["A-0001"] = "kg-b", ["A-0002"] = "kg-a" });
        var e = Explanation(r, "A-0003");
        e.Status.Should().Be(RoundStatus.Waitlisted);
        // Rank 3 among general applicants at kg-b: A-0001 and A-0002 (general there, placed at kg-a) list it too.
        e.Preferences.Should().ContainSingle().Which.Should().Be(new PreferenceExplanation("kg-b", PreferenceOutcome.Outranked, 1,
            new RankedKey("general", At("2027-03-10T09:00:00Z"), 12, 3), new RankedKey("general", At("2027-01-10T09:00:00Z"), 10, 1)));
        r.Programs.Single(p => p.Kindergarten == "kg-b").Waitlist.Should().Equal("A-0003");
        // A-0001 waits at kg-a (it got something it likes less); A-0002 has kg-a and is on no list.
        r.Programs.Single(p => p.Kindergarten == "kg-a").Waitlist.Should().Equal("A-0001");
    }

    // ----------------------------------------------------------------- DOMAIN scenario 2: same tier, same instant

    [Fact]
    public void Allocate_SameTierAndInstant_EarlierLogSequenceNumberWins()
    {
        // The application number sorts the other way, so only the sequence number can decide.
        var r = Allocator.Allocate(Input(
            [Kg("kg-a")],
            [new("kg-a", "junior", 1)],
            [
                App("A-0001", 21, "2027-01-10T09:00:00Z", ["kg-a"]),
                App("A-0002", 20, "2027-01-10T09:00:00Z", ["kg-a"]),
            ]));

        r.Offers.Should().ContainSingle().Which.Number.Should().Be("A-0002");
        Explanation(r, "A-0001").Preferences[0].Own!.RankInTier.Should().Be(2);
    }

    [Fact]
    public void Allocate_SameTier_EarlierRegistrationBeatsLowerSequenceNumber()
    {
        var r = Allocator.Allocate(Input(
            [Kg("kg-a")],
            [new("kg-a", "junior", 1)],
            [
                App("A-0001", 5, "2027-01-10T09:00:00.001Z", ["kg-a"]),
                App("A-0002", 900, "2027-01-10T09:00:00Z", ["kg-a"]),
            ]));

        r.Offers.Should().ContainSingle().Which.Number.Should().Be("A-0002");
    }

    // ----------------------------------------------------------------- DOMAIN scenario 3: verification

    private static AllocationInput ClaimRound(bool verified) => Input(
        [Kg("kg-a")],
        [new("kg-a", "junior", 1)],
        [
            App("A-0001", 1, "2027-01-10T09:00:00Z", ["kg-a"]),
            App("A-0002", 2, "2027-02-10T09:00:00Z", ["kg-a"], claims: new ApplicantClaim("first", null, verified)),
        ]);

    [Fact]
    public void Allocate_UnverifiedClaim_RanksAsGeneral()
    {
        var r = Allocator.Allocate(ClaimRound(verified: false));

        r.Offers.Should().ContainSingle().Which.Number.Should().Be("A-0001");
        Explanation(r, "A-0002").Preferences[0].Own!.Tier.Should().Be("general");
    }

    [Fact]
    public void Allocate_VerifiedClaim_MovesAheadOfEarlierGeneralApplicant()
    {
        var r = Allocator.Allocate(ClaimRound(verified: true));

        r.Offers.Should().ContainSingle().Which.Number.Should().Be("A-0002");
        Explanation(r, "A-0001").Preferences[0].LastAdmitted!.Tier.Should().Be("first");
    }

    [Fact]
    public void QueuePositions_AfterVerification_ChildMovesUpAndTheTierSaysWhy()
    {
        ApplicantPositions Of(bool verified, string number)
        {
            var input = ClaimRound(verified);
            return QueuePositions.Compute(input.Criteria, RoundDate, input.Kindergartens, input.Applicants).Single(a => a.Number == number);
        }

        Of(false, "A-0002").Positions.Should().ContainSingle().Which.Should().Be(new QueuePosition("kg-a", "junior", 2027, September, 2, 2, "general"));
        Of(true, "A-0002").Positions.Should().ContainSingle().Which.Should().Be(new QueuePosition("kg-a", "junior", 2027, September, 1, 2, "first"));
        Of(true, "A-0001").Positions.Single().Position.Should().Be(2);
    }

    // ----------------------------------------------------------------- catchment

    [Fact]
    public void Allocate_CatchmentResident_WinsOverEarlierApplicantFromElsewhere()
    {
        var r = Allocator.Allocate(Input(
            [Kg("kg-a", "north", "north")],
            [new("kg-a", "junior", 1)],
            [
                App("A-0001", 1, "2027-01-10T09:00:00Z", ["kg-a"], district: "south"),
                App("A-0002", 2, "2027-02-10T09:00:00Z", ["kg-a"], district: "north"),
            ]));

        r.Offers.Should().ContainSingle().Which.Number.Should().Be("A-0002");
        Explanation(r, "A-0001").Preferences[0].LastAdmitted!.Tier.Should().Be("catchment");
    }

    [Fact]
    public void Allocate_VerifiedFirstPriority_BeatsCatchmentAndSibling()
    {
        var r = Allocator.Allocate(Input(
            [Kg("kg-a", "north", "north")],
            [new("kg-a", "junior", 1)],
            [
                App("A-0001", 1, "2027-01-10T09:00:00Z", ["kg-a"], district: "north", claims: Verified("sibling", "kg-a")),
                App("A-0002", 2, "2027-02-10T09:00:00Z", ["kg-a"], district: "south", claims: Verified("first")),
            ]));

        r.Offers.Should().ContainSingle().Which.Number.Should().Be("A-0002");
        Explanation(r, "A-0001").Preferences[0].Own!.Tier.Should().Be("sibling", "the best of sibling and catchment");
    }

    [Fact]
    public void Allocate_ClaimsThatCountForNothing_LeaveTheApplicantGeneral()
    {
        // SPEC.md §7.1: a catchment claim (catchment comes from the district), a tier the criteria do not know,
        // and a verified sibling claim that names no kindergarten all count for nothing.
        var r = Allocator.Allocate(Input(
            [Kg("kg-a")],
            [new("kg-a", "junior", 1)],
            [
                App("A-0001", 1, "2027-01-10T09:00:00Z", ["kg-a"]),
                App("A-0002", 2, "2027-02-10T09:00:00Z", ["kg-a"], claims: [Verified("catchment", "kg-a"), Verified("vip"), Verified("sibling")]),
            ]));

        r.Offers.Should().ContainSingle().Which.Number.Should().Be("A-0001");
        Explanation(r, "A-0002").Preferences.Single().Own!.Tier.Should().Be("general");
    }

    // ----------------------------------------------------------------- DOMAIN scenario 4: desired start

    [Fact]
    public void Allocate_DesiredStartAfterStartDate_IsDeferredAndNotOffered()
    {
        var r = Allocator.Allocate(Input(
            [Kg("kg-a")],
            [new("kg-a", "junior", 5)],
            [
                App("A-0001", 1, "2027-01-10T09:00:00Z", ["kg-a"], desiredStart: September.PlusDays(1)),
                App("A-0002", 2, "2027-02-10T09:00:00Z", ["kg-a"], desiredStart: September),
            ]));

        r.Offers.Should().ContainSingle().Which.Number.Should().Be("A-0002");
        Explanation(r, "A-0001").Should().BeEquivalentTo(new { Status = RoundStatus.Deferred, Group = (string?)null, OfferedKindergarten = (string?)null });
        Explanation(r, "A-0001").Preferences.Should().BeEmpty();
        r.Programs.Single().Waitlist.Should().BeEmpty("a deferred applicant does not compete");
    }

    // ----------------------------------------------------------------- DOMAIN scenario 7: archive

    [Fact]
    public void Allocate_ChildSevenOnStartDate_IsArchived_ButSixYearOldIsPlaced()
    {
        // Born August 2020 (counted as 31 August): 7 on 1 September 2027. Born September 2020: still 6.
        var r = Allocator.Allocate(Input(
            [Kg("kg-a")],
            [new("kg-a", "preparatory", 5)],
            [
                App("A-0001", 1, "2027-01-10T09:00:00Z", ["kg-a"], birth: "2020-08"),
                App("A-0002", 2, "2027-01-10T09:00:00Z", ["kg-a"], birth: "2020-09"),
            ]));

        r.Archived.Should().Equal("A-0001");
        Explanation(r, "A-0001").Status.Should().Be(RoundStatus.Archived);
        r.Offers.Should().ContainSingle().Which.Should().Be(new Offer("A-0002", "kg-a", "preparatory", RoundDate.PlusDays(10)));
        r.ToDecision("round-1", 7).Archived.Should().Equal("A-0001");
    }

    [Fact]
    public void Allocate_ArchiveComesBeforeDeferral()
    {
        var r = Allocator.Allocate(Input([Kg("kg-a")], [new("kg-a", "preparatory", 5)],
            [App("A-0001", 1, "2027-01-10T09:00:00Z", ["kg-a"], birth: "2019-05", desiredStart: new LocalDate(2028, 9, 1))]));

        Explanation(r, "A-0001").Status.Should().Be(RoundStatus.Archived);
    }

    // ----------------------------------------------------------------- age groups, seats, programs

    [Fact]
    public void Allocate_ChildTooYoungForAnyGroup_HasNoAgeGroup()
    {
        // Born September 2026 (counted as 30 September): 0 on 1 September 2027; the youngest group starts at 1.
        var r = Allocator.Allocate(Input([Kg("kg-a")], [new("kg-a", "early", 5)],
            [App("A-0001", 1, "2027-01-10T09:00:00Z", ["kg-a"], birth: "2026-09"), App("A-0002", 2, "2027-01-10T09:00:00Z", ["kg-a"], birth: "2026-08")]));

        Explanation(r, "A-0001").Should().BeEquivalentTo(new { Status = RoundStatus.NoAgeGroup, Group = (string?)null, OfferedKindergarten = (string?)null });
        Explanation(r, "A-0001").Preferences.Should().BeEmpty();
        r.Offers.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Number = "A-0002", Group = "early" });
        ResultJson.Text(RoundStatus.NoAgeGroup).Should().Be("no-age-group");
    }

    [Fact]
    public void Allocate_ZeroSeats_ExplainsNoSeats_AndKeepsTheApplicantOnTheWaitlist()
    {
        var r = Allocator.Allocate(Input(
            [Kg("kg-a"), Kg("kg-b"), Kg("kg-c")],
            [new("kg-a", "junior", 0), new("kg-b", "middle", 3), new("kg-c", "junior", 1)],
            [App("A-0001", 1, "2027-01-10T09:00:00Z", ["kg-a", "kg-b", "kg-c"])]));

        var e = Explanation(r, "A-0001");
        e.Status.Should().Be(RoundStatus.Offered);
        e.Group.Should().Be("junior");
        e.OfferedKindergarten.Should().Be("kg-c");
        e.Preferences.Select(p => (p.Kindergarten, p.Outcome, p.Seats)).Should().Equal(
            ("kg-a", PreferenceOutcome.NoSeats, 0),
            ("kg-b", PreferenceOutcome.NoProgram, 0), // kg-b has no junior group
            ("kg-c", PreferenceOutcome.Offered, 1));
        e.Preferences[0].LastAdmitted.Should().BeNull();
        e.Preferences[0].Own.Should().Be(new RankedKey("general", At("2027-01-10T09:00:00Z"), 1, 1));
        e.Preferences[1].Own.Should().BeNull();
        r.Programs.Single(p => p.Kindergarten == "kg-a").Should().BeEquivalentTo(new { Admitted = 0, Seats = 0 });
        r.Programs.Single(p => p.Kindergarten == "kg-a").Waitlist.Should().Equal("A-0001");
        r.Programs.Single(p => p.Kindergarten == "kg-b").Waitlist.Should().BeEmpty();
    }

    [Fact]
    public void Allocate_Explanation_GivesRankInTierAndTheLastAdmittedKey()
    {
        var r = Allocator.Allocate(Input(
            [Kg("kg-a")],
            [new("kg-a", "junior", 2)],
            [
                App("A-0001", 1, "2027-01-01T09:00:00Z", ["kg-a"]),
                App("A-0002", 2, "2027-01-02T09:00:00Z", ["kg-a"]),
                App("A-0003", 3, "2027-01-03T09:00:00Z", ["kg-a"]),
                App("A-0004", 4, "2027-04-01T09:00:00Z", ["kg-a"], claims: Verified("sibling", "kg-a")),
                App("A-0005", 5, "2027-04-02T09:00:00Z", ["kg-a"], claims: Unverified("extraordinary")),
            ]));

        r.Offers.Select(o => o.Number).Should().Equal("A-0001", "A-0004");
        var lastAdmitted = new RankedKey("general", At("2027-01-01T09:00:00Z"), 1, 1);
        Explanation(r, "A-0002").Preferences.Should().Equal(
            new PreferenceExplanation("kg-a", PreferenceOutcome.Outranked, 2, new RankedKey("general", At("2027-01-02T09:00:00Z"), 2, 2), lastAdmitted));
        Explanation(r, "A-0005").Preferences.Single().Own.Should().Be(new RankedKey("general", At("2027-04-02T09:00:00Z"), 5, 4));
        Explanation(r, "A-0004").Preferences.Single().Own.Should().Be(new RankedKey("sibling", At("2027-04-01T09:00:00Z"), 4, 1));
        r.Programs.Single().Should().BeEquivalentTo(new { Admitted = 2, Seats = 2, Waitlist = new[] { "A-0002", "A-0003", "A-0005" } });
    }

    [Fact]
    public void Allocate_DisplacedApplicant_MovesToItsNextChoice()
    {
        // A-0001 proposes first and holds kg-a until the sibling A-0002 takes it; A-0001 then gets kg-b, and A-0003 is left out.
        var r = Allocator.Allocate(Input(
            [Kg("kg-a"), Kg("kg-b")],
            [new("kg-a", "junior", 1), new("kg-b", "junior", 1)],
            [
                App("A-0001", 1, "2027-01-01T09:00:00Z", ["kg-a", "kg-b"]),
                App("A-0002", 2, "2027-01-02T09:00:00Z", ["kg-a"], claims: Verified("sibling", "kg-a")),
                App("A-0003", 3, "2027-01-03T09:00:00Z", ["kg-b", "kg-a"]),
            ]));

        OffersOf(r).Should().Equal(new Dictionary<string, string> { ["A-0001"] = "kg-b", ["A-0002"] = "kg-a" });
        Explanation(r, "A-0003").Preferences.Select(p => p.Outcome).Should().Equal(PreferenceOutcome.Outranked, PreferenceOutcome.Outranked);
    }

    [Fact]
    public void Allocate_NoApplicants_GivesEmptyResultWithEveryProgram()
    {
        var r = Allocator.Allocate(Input([Kg("kg-a")], [new("kg-a", "junior", 3)], []));

        r.Offers.Should().BeEmpty();
        r.Explanations.Should().BeEmpty();
        r.Programs.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Kindergarten = "kg-a", Group = "junior", Seats = 3, Admitted = 0 });
        r.Year.Should().Be(2027);
        r.CriteriaVersion.Should().Be("2027.1");
    }

    [Fact]
    public void Allocate_StartDateBeforeCutoff_UsesThePreviousEnrolmentYear()
    {
        // On 31 August 2027 the school year 2026/27 is still running: a March 2024 child is 2 on 1 September 2026.
        var r = Allocator.Allocate(Input([Kg("kg-a")], [new("kg-a", "early", 1)],
            [App("A-0001", 1, "2027-01-10T09:00:00Z", ["kg-a"], desiredStart: new LocalDate(2027, 6, 1))], startDate: new LocalDate(2027, 8, 31)));

        r.Year.Should().Be(2026);
        r.Offers.Should().ContainSingle().Which.Group.Should().Be("early");
    }

    [Fact]
    public void Allocate_DuplicateApplicationNumber_Throws()
    {
        var act = () => Allocator.Allocate(Input([Kg("kg-a")], [new("kg-a", "junior", 1)],
            [App("A-0001", 1, "2027-01-10T09:00:00Z", ["kg-a"]), App("A-0001", 2, "2027-01-10T09:00:00Z", ["kg-a"])]));

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void ToDecision_CarriesTheStateChangingPartOfTheResult()
    {
        var r = SiblingRound();

        var d = r.ToDecision("2027-main", 42);

        d.Should().BeEquivalentTo(new { Round = "2027-main", Basis = 42L, CriteriaVersion = "2027.1", Date = RoundDate, StartDate = September, Year = 2027 });
        d.Offers.Should().Equal(r.Offers);
        d.Offers.Should().OnlyContain(o => o.Deadline == new LocalDate(2027, 5, 11));
    }

    // ----------------------------------------------------------------- queue positions

    [Fact]
    public void QueuePositions_GivePositionAndTotalPerListedKindergarten()
    {
        var input = Input(
            [Kg("kg-a"), Kg("kg-b", "north", "north")],
            [],
            [
                App("A-0003", 3, "2027-01-03T09:00:00Z", ["kg-a", "kg-b"]),
                App("A-0001", 1, "2027-01-01T09:00:00Z", ["kg-a"]),
                App("A-0002", 2, "2027-01-02T09:00:00Z", ["kg-b", "kg-a"], district: "north"),
                App("A-0004", 4, "2027-01-04T09:00:00Z", ["kg-a"], birth: "2023-03"), // middle group: another queue
            ]);

        var positions = QueuePositions.Compute(input.Criteria, RoundDate, input.Kindergartens, input.Applicants);

        positions.Select(p => p.Number).Should().Equal("A-0001", "A-0002", "A-0003", "A-0004");
        var byNumber = positions.ToDictionary(p => p.Number, p => p.Positions.Select(q => (q.Kindergarten, q.Group, q.Position, q.Total, q.Tier)));
        byNumber["A-0001"].Should().Equal(("kg-a", "junior", 1, 3, "general"));
        byNumber["A-0002"].Should().Equal(("kg-b", "junior", 1, 2, "catchment"), ("kg-a", "junior", 2, 3, "general"));
        byNumber["A-0003"].Should().Equal(("kg-a", "junior", 3, 3, "general"), ("kg-b", "junior", 2, 2, "general"));
        byNumber["A-0004"].Should().Equal(("kg-a", "middle", 1, 1, "general"));
    }

    [Fact]
    public void QueuePositions_LaterDesiredStart_QueuesForTheLaterEnrolmentYear()
    {
        var later = new LocalDate(2028, 9, 1);
        var input = Input([Kg("kg-a")], [],
        [
            App("A-0001", 1, "2027-01-01T09:00:00Z", ["kg-a"], desiredStart: later),
            App("A-0002", 2, "2027-01-02T09:00:00Z", ["kg-a"]),
            App("A-0003", 3, "2027-01-03T09:00:00Z", ["kg-a"], birth: "2020-01"), // 7 before its start: no queue
        ]);

        var positions = QueuePositions.Compute(input.Criteria, RoundDate, input.Kindergartens, input.Applicants).ToDictionary(p => p.Number);

        // A March 2024 child is 4 on 1 September 2028: middle group of 2028.
        positions["A-0001"].Positions.Should().Equal(new QueuePosition("kg-a", "middle", 2028, later, 1, 1, "general"));
        positions["A-0002"].Positions.Should().Equal(new QueuePosition("kg-a", "junior", 2027, September, 1, 1, "general"));
        positions["A-0003"].Positions.Should().BeEmpty();
    }

    [Fact]
    public void QueuePositions_DesiredStartAlreadyPast_QueuesFromAsOf()
    {
        var input = Input([Kg("kg-a")], [], [App("A-0001", 1, "2027-01-01T09:00:00Z", ["kg-a"], desiredStart: new LocalDate(2027, 2, 1))]);

        var q = QueuePositions.Compute(input.Criteria, RoundDate, input.Kindergartens, input.Applicants).Single().Positions.Single();

        q.From.Should().Be(RoundDate);
        q.Year.Should().Be(2026, "1 May 2027 is in the school year that started on 1 September 2026");
        q.Group.Should().Be("early");
    }

    // ----------------------------------------------------------------- scenario JSON

    private static readonly ScenarioJson.CriteriaLoader NoLoader = _ => throw new InvalidOperationException("criteria are inline");

    private static JsonObject ValidScenario() => (JsonObject)JsonNode.Parse(ScenarioWriter.ToJson(Input(
        [Kg("kg-a"), Kg("kg-b"), Kg("kg-c")],
        [new("kg-a", "junior", 1)],
        [App("A-0001", 1, "2027-01-10T09:00:00Z", ["kg-a", "kg-b"], claims: Verified("sibling", "kg-a"))])))!;

    private static IReadOnlyList<ValidationProblem> Problems(JsonNode scenario) =>
        ScenarioJson.Parse(System.Text.Encoding.UTF8.GetBytes(scenario.ToJsonString()), NoLoader).Problems;

    [Fact]
    public void ScenarioJson_ValidScenario_Parses()
    {
        var parsed = ScenarioJson.Parse(System.Text.Encoding.UTF8.GetBytes(ValidScenario().ToJsonString()), NoLoader);

        parsed.Problems.Should().BeEmpty();
        parsed.Value!.Applicants.Single().Claims.Should().Equal(Verified("sibling", "kg-a"));
    }

    [Fact]
    public void ScenarioJson_CriteriaByReference_AreLoadedByTheCaller()
    {
        var s = ValidScenario();
        s["criteria"] = "../../criteria/default.json";
        string? asked = null;

        var parsed = ScenarioJson.Parse(System.Text.Encoding.UTF8.GetBytes(s.ToJsonString()), reference =>
        {
            asked = reference;
            return CriteriaJson.Parse(DefaultCriteria.Json);
        });

        asked.Should().Be("../../criteria/default.json");
        parsed.Success.Should().BeTrue();
    }

    [Fact]
    public void ScenarioJson_ReferencedCriteriaWithProblems_ReportsThemAtCriteria()
    {
        var s = ValidScenario();
        s["criteria"] = "broken.json";

        var problems = ScenarioJson.Parse(System.Text.Encoding.UTF8.GetBytes(s.ToJsonString()),
            _ => Parsed<CriteriaDocument>.Fail("$.categories[0].legalBasis", "criteria.no-legal-basis", "no basis")).Problems;

        problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Code = "criteria.no-legal-basis", Path = "$.criteria" });
    }

    [Fact]
    public void ScenarioJson_TooManyPreferences_IsRejectedWithCodeAndPath()
    {
        var s = ValidScenario();
        var kgs = (JsonArray)s["kindergartens"]!;
        for (var i = 1; i <= 6; i++) kgs.Add(new JsonObject { ["catchment"] = new JsonArray(), ["district"] = "central", ["id"] = $"kg-{i}" });
        s["applicants"]![0]!["preferences"] = new JsonArray([.. Enumerable.Range(1, 6).Select(i => (JsonNode)$"kg-{i}")]);

        Problems(s).Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Code = "application.too-many-preferences",
            Path = "$.applicants[0].preferences",
        });
        Problems(s)[0].Message.Should().Contain("6").And.Contain("5");
    }

    [Fact]
    public void ScenarioJson_MalformedJson_IsRejected()
    {
        var parsed = ScenarioJson.Parse("{\"date\": "u8.ToArray(), NoLoader);

        parsed.Success.Should().BeFalse();
        parsed.Problems.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Path = "$", Code = "json.malformed" });
    }

    public static TheoryData<string, string, string, string> WrongFields => new()
    {
        // field to replace (JSON pointer-ish), new JSON value, expected code, expected path
        { "programs/0/seats", "\"two\"", "field.type", "$.programs[0].seats" },
        { "programs/0/seats", "-1", "field.range", "$.programs[0].seats" },
        { "applicants/0/seq", "1.5", "field.type", "$.applicants[0].seq" },
        { "applicants/0/registeredAt", "\"2027-01-10T09:00:00Z\"", "field.instant", "$.applicants[0].registeredAt" },
        { "applicants/0/birthMonth", "\"2024-3\"", "field.month", "$.applicants[0].birthMonth" },
        { "applicants/0/desiredStart", "\"01.09.2027\"", "field.date", "$.applicants[0].desiredStart" },
        { "applicants/0/preferences", "\"kg-a\"", "field.type", "$.applicants[0].preferences" },
        { "applicants/0/preferences", "[\"kg-a\", 3]", "field.type", "$.applicants[0].preferences[1]" },
        { "applicants/0/claims/0/verified", "\"yes\"", "field.type", "$.applicants[0].claims[0].verified" },
        { "applicants/0/number", "null", "field.missing", "$.applicants[0].number" },
        { "applicants/0/district", "\"\"", "field.empty", "$.applicants[0].district" },
        { "kindergartens/0", "[]", "field.type", "$.kindergartens[0]" },
        { "date", "20270501", "field.type", "$.date" },
        { "startDate", "\"2027-04-30\"", "round.start-before-date", "$.startDate" },
        { "applicants/0/preferences", "[]", "application.no-preferences", "$.applicants[0].preferences" },
        { "applicants/0/preferences", "[\"kg-a\", \"kg-a\"]", "application.duplicate-preference", "$.applicants[0].preferences[1]" },
        { "applicants/0/preferences", "[\"kg-z\"]", "application.unknown-kindergarten", "$.applicants[0].preferences[0]" },
        { "applicants/0/claims/0/tier", "\"catchment\"", "application.unknown-tier", "$.applicants[0].claims[0].tier" },
        { "applicants/0/claims/0/tier", "\"general\"", "application.unknown-tier", "$.applicants[0].claims[0].tier" },
        { "applicants/0/claims/0/kindergarten", "\"kg-z\"", "application.sibling-kindergarten", "$.applicants[0].claims[0].kindergarten" },
        { "programs/0/group", "\"nursery\"", "scenario.unknown-group", "$.programs[0].group" },
        { "programs/0/kindergarten", "\"kg-z\"", "scenario.unknown-kindergarten", "$.programs[0].kindergarten" },
        { "kindergartens/2/id", "\"kg-a\"", "scenario.duplicate-kindergarten", "$.kindergartens[2].id" },
        { "criteria/maxPreferences", "0", "field.range", "$.criteria.maxPreferences" },
        { "criteria/categories/0/legalBasis", "\"\"", "criteria.no-legal-basis", "$.criteria.categories[0].legalBasis" },
    };

    [Theory]
    [MemberData(nameof(WrongFields))]
    public void ScenarioJson_BadField_NamesTheField(string field, string value, string code, string path)
    {
        var s = ValidScenario();
        var parts = field.Split('/');
        JsonNode parent = s;
        foreach (var part in parts[..^1]) parent = int.TryParse(part, out var i) ? parent[i]! : parent[part]!;
        var replacement = JsonNode.Parse(value);
        if (int.TryParse(parts[^1], out var index)) parent[index] = replacement;
        else parent[parts[^1]] = replacement;

        Problems(s).Should().ContainSingle().Which.Should().BeEquivalentTo(new { Code = code, Path = path });
    }

    [Fact]
    public void ScenarioJson_DuplicateNumbersAndSequenceNumbers_AreRejected()
    {
        var s = ValidScenario();
        var applicants = (JsonArray)s["applicants"]!;
        applicants.Add(applicants[0]!.DeepClone());

        Problems(s).Select(p => (p.Code, p.Path)).Should().BeEquivalentTo(new[]
        {
            ("scenario.duplicate-number", "$.applicants[1].number"),
            ("scenario.duplicate-seq", "$.applicants[1].seq"),
        });
    }

    [Fact]
    public void ScenarioJson_SeveralBadFields_AreAllReported()
    {
        var s = ValidScenario();
        s["programs"]![0]!["seats"] = "x";
        s["applicants"]![0]!["seq"] = "y";
        s.Remove("date");

        Problems(s).Select(p => p.Path).Should().BeEquivalentTo("$.programs[0].seats", "$.applicants[0].seq", "$.date");
    }
}
