using System.Security.Cryptography;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Signals;
using NodaTime;
using static KinderQueue.Core.Tests.Signals.SignalLog;

namespace KinderQueue.Core.Tests.Signals;

/// <summary>
/// Each rule of SPEC.md §17.3 on a small hand-made log: it fires past its threshold, not at it;
/// the signal names the entries behind it, is raised at the first entry where the rule holds, and
/// later entries join it without changing its id or raise time.
/// </summary>
public sealed class SignalRuleTests
{
    private static readonly LocalDate May1 = new(2027, 5, 1);
    private static readonly YearMonth February = new(2027, 2);
    private static readonly YearMonth March = new(2027, 3);

    private static void ShouldBeRaisedAt(SignalView s, SignalLog log, long seq, SignalSubject subject)
    {
        s.Subject.Should().Be(subject);
        s.Id.Should().Be(SignalIds.Of(s.Kind, subject));
        s.RaisedSeq.Should().Be(seq);
        s.RaisedAt.Should().Be(log.AtOf(seq));
        s.Status.Should().Be(SignalStatuses.New);
        s.Timeline.Should().BeEmpty();
    }

    // ----------------------------------------------------------------- ids

    [Fact]
    public void Id_IsSigAndTheFirst16HexOfSha256OfKindNewlineCanonicalSubjectKey()
    {
        var subject = new SignalSubject(Round: "2027-main", Year: 2027);
        const string key = """{"actor":null,"channel":null,"district":null,"kindergarten":null,"month":null,"round":"2027-main","year":2027}""";
        subject.Key().Should().Be(key);
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(SignalKinds.CapacityCutBeforeRound + "\n" + key));
        SignalIds.Of(SignalKinds.CapacityCutBeforeRound, subject).Should().Be("sig-" + Convert.ToHexStringLower(hash)[..16]);
        new SignalSubject(Actor: "registrar:r-1", Channel: "centre", Month: new YearMonth(2027, 2)).Key()
            .Should().Be("""{"actor":"registrar:r-1","channel":"centre","district":null,"kindergarten":null,"month":"2027-02","round":null,"year":null}""");
        SignalIds.Of(SignalKinds.BackdatedRegistrations, subject).Should().NotBe(SignalIds.Of(SignalKinds.CapacityCutBeforeRound, subject), "the kind is part of the id");
    }

    // ----------------------------------------------------------------- §17.3.1 capacity cut before a round

    [Fact]
    public void CapacityCut_MoreSeatsThanTheThresholdRemovedWithinTheWindow_RaisedAtTheRound()
    {
        var log = World(seats: 10);
        // 1 May − 10 days = 21 April: the first day of the window.
        var cut = log.Ok(On(2027, 4, 21), new CapacityLoaded("renovation", [new CapacityRow("kg-1", "junior", 2027, 7)]));
        var round = log.Round("2027-main", May1);

        var s = log.Single(SignalKinds.CapacityCutBeforeRound);
        ShouldBeRaisedAt(s, log, round, new SignalSubject(Round: "2027-main", Year: 2027));
        s.Value.Should().Be(3);
        s.Threshold.Should().Be(2);
        s.Entries.Should().Equal(cut, round);
    }

    [Fact]
    public void CapacityCut_CutsAddUpAcrossKindergartens()
    {
        var log = World(seats: 10);
        var a = log.Ok(On(2027, 4, 25), new CapacityLoaded("renovation", [new CapacityRow("kg-1", "junior", 2027, 8)]));
        var b = log.Ok(On(2027, 4, 26), new CapacityLoaded("staffing", [new CapacityRow("kg-2", "junior", 2027, 9)]));
        var round = log.Round("2027-main", May1);
        var s = log.Single(SignalKinds.CapacityCutBeforeRound);
        s.Value.Should().Be(3);
        s.Entries.Should().Equal(a, b, round);
    }

    [Theory]
    [InlineData(2027, 4, 21, 8, "exactly the threshold (2 seats) is not more than it")]
    [InlineData(2027, 4, 20, 7, "a cut the day before the window does not count")]
    public void CapacityCut_AtTheThresholdOrOutsideTheWindow_RaisesNothing(int y, int m, int d, int seatsAfter, string because)
    {
        var log = World(seats: 10);
        log.Ok(On(y, m, d), new CapacityLoaded("renovation", [new CapacityRow("kg-1", "junior", 2027, seatsAfter)]));
        log.Round("2027-main", May1);
        log.Of(SignalKinds.CapacityCutBeforeRound).Should().BeEmpty(because);
    }

    // ----------------------------------------------------------------- §17.3.2 backdated registrations

    private static SignalLog AfterFirstRound()
    {
        var log = World();
        log.Round("2027-pre", new LocalDate(2027, 1, 20)); // the first round ends the migration
        return log;
    }

    private static long Backdated(SignalLog log, int k, Duration gap, string actor = Registrar, string channel = "centre")
    {
        var at = On(2027, 2, 1, k);
        return log.Ok(at, Submitted($"B-{k}", ["kg-1"], at - gap, channel: channel), actor);
    }

    [Fact]
    public void Backdated_MoreThanTheCountPerChannelActorAndMonth_RaisedAtTheEntryPastIt_LaterOnesJoin()
    {
        var log = AfterFirstRound();
        var gap = Duration.FromHours(24) + Duration.FromMinutes(1);
        var first = Backdated(log, 0, gap);
        var second = Backdated(log, 1, gap);
        log.Of(SignalKinds.BackdatedRegistrations).Should().BeEmpty("two is the threshold, not past it");
        var third = Backdated(log, 2, gap);

        var subject = new SignalSubject(Actor: Registrar, Channel: "centre", Month: February);
        var s = log.Single(SignalKinds.BackdatedRegistrations);
        ShouldBeRaisedAt(s, log, third, subject);
        s.Value.Should().Be(3);
        s.Threshold.Should().Be(2);
        s.Entries.Should().Equal(first, second, third);

        var fourth = Backdated(log, 3, gap);
        var joined = log.Single(SignalKinds.BackdatedRegistrations);
        joined.Id.Should().Be(s.Id);
        joined.RaisedSeq.Should().Be(third);
        joined.RaisedAt.Should().Be(s.RaisedAt);
        joined.Value.Should().Be(4);
        joined.Entries.Should().Equal(first, second, third, fourth);
    }

    [Fact]
    public void Backdated_ExactlyTheMinimumGap_DoesNotCount()
    {
        var log = AfterFirstRound();
        for (var k = 0; k < 4; k++) Backdated(log, k, Duration.FromHours(24));
        log.Of(SignalKinds.BackdatedRegistrations).Should().BeEmpty();
    }

    [Fact]
    public void Backdated_CountsAreSeparatePerActorAndChannel_AndTheMigrationBeforeTheFirstRoundIsNotCounted()
    {
        var log = World();
        var gap = Duration.FromDays(30);
        // Before any round: the queue that existed before the service is loaded with its own instants.
        for (var k = 0; k < 4; k++) Backdated(log, k, gap);
        log.Of(SignalKinds.BackdatedRegistrations).Should().BeEmpty("a migration is not backdating");
        log.Round("2027-pre", new LocalDate(2027, 1, 20));
        Backdated(log, 10, gap, Registrar, "centre");
        Backdated(log, 11, gap, Registrar, "centre");
        Backdated(log, 12, gap, "registrar:r-2", "centre");
        Backdated(log, 13, gap, Registrar, "federal");
        log.Of(SignalKinds.BackdatedRegistrations).Should().BeEmpty("no actor and channel passed two");
    }

    [Fact]
    public void Backdated_OnlyStaffDateARegistration_ThePortalRelaysThePortalsInstant()
    {
        var log = AfterFirstRound();
        for (var k = 0; k < 4; k++) Backdated(log, k, Duration.FromDays(30), "federal-portal", "federal");
        log.Of(SignalKinds.BackdatedRegistrations).Should().BeEmpty("a federal application keeps the instant it was registered on the portal");
        for (var k = 4; k < 7; k++) Backdated(log, k, Duration.FromDays(30), Registrar, "federal");
        log.Single(SignalKinds.BackdatedRegistrations).Subject.Should().Be(new SignalSubject(Actor: Registrar, Channel: "federal", Month: February));
    }

    // ----------------------------------------------------------------- §17.3.3 claim bursts

    /// <summary>Applications C-0… each with a first-priority claim, submitted in February.</summary>
    private static void Claimants(SignalLog log, int count, string kindergarten = "kg-1", PriorityClaim? claim = null, int from = 0)
    {
        for (var k = from; k < from + count; k++)
            log.Ok(On(2027, 2, 1, k), Submitted($"C-{k}", [kindergarten], On(2027, 2, 1, k), claims: claim ?? new PriorityClaim("first", null)), "parent:p-1");
    }

    private static long Verify(SignalLog log, int k, string actor = Verifier, int day = 2) =>
        log.Ok(On(2027, 3, day, k), new ClaimReviewed($"C-{k}", 0, true, "document-confirmed"), actor);

    [Fact]
    public void ClaimBurstStaff_MoreThanTheCountAndTheShareOfTheRegion_RaisedAtTheEntryPastBoth()
    {
        var log = World();
        Claimants(log, 4);
        var a = Verify(log, 0);
        var b = Verify(log, 1);
        log.Of(SignalKinds.ClaimBurstStaff).Should().BeEmpty("two verifications are the threshold");
        var c = Verify(log, 2);
        var s = log.Single(SignalKinds.ClaimBurstStaff);
        ShouldBeRaisedAt(s, log, c, new SignalSubject(Actor: Verifier, Month: March));
        s.Value.Should().Be(3);
        s.Threshold.Should().Be(2);
        s.Entries.Should().Equal(a, b, c);

        var d = Verify(log, 3);
        var joined = log.Single(SignalKinds.ClaimBurstStaff);
        (joined.Id, joined.RaisedSeq, joined.Value).Should().Be((s.Id, c, 4L));
        joined.Entries.Should().Equal(a, b, c, d);
    }

    [Fact]
    public void ClaimBursts_ExactlyTheShareOfTheRegion_RaisesNothingForTheSecondStaffOrKindergarten()
    {
        var log = World();
        Claimants(log, 3, "kg-2");
        Claimants(log, 3, "kg-1", from: 3);
        for (var k = 0; k < 3; k++) Verify(log, k, "verifier:v-2");
        for (var k = 3; k < 6; k++) Verify(log, k, Verifier);
        // v-2 and kg-2 held all of the region's verifications when they passed two; v-1 and kg-1 hold 3 of 6 = 50 %, not more.
        log.Of(SignalKinds.ClaimBurstStaff).Select(s => s.Subject.Actor).Should().Equal("verifier:v-2");
        log.Of(SignalKinds.ClaimBurstKindergarten).Select(s => s.Subject.Kindergarten).Should().Equal("kg-2");
    }

    [Fact]
    public void ClaimBurstKindergarten_CountsAtTheSiblingKindergarten_WhoeverVerified()
    {
        var log = World();
        Claimants(log, 3, "kg-1", new PriorityClaim("sibling", "kg-2"));
        var seqs = new[] { Verify(log, 0, "verifier:v-1"), Verify(log, 1, "verifier:v-2"), Verify(log, 2, "verifier:v-3") };
        log.Of(SignalKinds.ClaimBurstStaff).Should().BeEmpty("no one verified more than two");
        var s = log.Single(SignalKinds.ClaimBurstKindergarten);
        ShouldBeRaisedAt(s, log, seqs[2], new SignalSubject(District: "north", Kindergarten: "kg-2", Month: March));
        s.Entries.Should().Equal(seqs);
        s.Value.Should().Be(3);
    }

    [Fact]
    public void ClaimBurst_RejectionsAreNotCounted()
    {
        var log = World();
        Claimants(log, 4);
        for (var k = 0; k < 4; k++) log.Ok(On(2027, 3, 2, k), new ClaimReviewed($"C-{k}", 0, false, "document-missing"), Verifier);
        log.Signals.Should().BeEmpty();
    }

    // ----------------------------------------------------------------- §17.3.4 claims verified just before an offer

    /// <summary>
    /// kg-1 has one junior seat. A-1 (north, general) registered first; L-1 registered later with
    /// <paramref name="claim"/>, verified on <paramref name="verifiedOn"/>.
    /// </summary>
    private static (SignalLog Log, long Review) LateClaim(LocalDate verifiedOn, PriorityClaim claim, int seats = 1, SignalThresholds? t = null)
    {
        var log = World(t, seats: seats);
        log.Ok(On(2027, 2, 1), Submitted("A-1", ["kg-1"], On(2027, 2, 1), district: "north"), "parent:p-1");
        log.Ok(On(2027, 2, 2), Submitted("L-1", ["kg-1"], On(2027, 2, 2), district: "north", claims: claim), "parent:p-2");
        var review = log.Ok(On(verifiedOn), new ClaimReviewed("L-1", 0, true, "document-confirmed"), Verifier);
        return (log, review);
    }

    [Fact]
    public void LateClaim_OfferWonWithAClaimVerifiedWithinTheWindow_RaisedAtTheRound()
    {
        // 1 May − 7 days = 24 April: the first day of the window.
        var (log, review) = LateClaim(new LocalDate(2027, 4, 24), new PriorityClaim("first", null));
        var round = log.Round("2027-main", May1);
        log.State.Decisions[^1].Decision.Offers.Select(o => o.Number).Should().Equal("L-1");

        var s = log.Single(SignalKinds.ClaimVerifiedBeforeOffer);
        ShouldBeRaisedAt(s, log, round, new SignalSubject(Round: "2027-main", Year: 2027));
        s.Value.Should().Be(1);
        s.Threshold.Should().Be(0);
        s.Entries.Should().Equal(review, round);
    }

    [Fact]
    public void LateClaim_VerifiedTheDayBeforeTheWindow_RaisesNothing()
    {
        var (log, _) = LateClaim(new LocalDate(2027, 4, 23), new PriorityClaim("first", null));
        log.Round("2027-main", May1);
        log.Of(SignalKinds.ClaimVerifiedBeforeOffer).Should().BeEmpty();
    }

    [Fact]
    public void LateClaim_OneOfferAtAThresholdOfOne_RaisesNothing()
    {
        var (log, _) = LateClaim(new LocalDate(2027, 4, 28), new PriorityClaim("first", null), t: Thresholds with { LateClaimMaxCount = 1 });
        log.Round("2027-main", May1);
        log.Of(SignalKinds.ClaimVerifiedBeforeOffer).Should().BeEmpty();
    }

    [Fact]
    public void LateClaim_AClaimThatGivesNoTierAtTheOfferedKindergarten_IsNotCounted()
    {
        // The sibling claim is at kg-2; L-1 is offered kg-1, where it is general either way.
        var (log, _) = LateClaim(new LocalDate(2027, 4, 28), new PriorityClaim("sibling", "kg-2"), seats: 2);
        log.Round("2027-main", May1);
        log.State.Decisions[^1].Decision.Offers.Select(o => o.Number).Should().Contain("L-1");
        log.Of(SignalKinds.ClaimVerifiedBeforeOffer).Should().BeEmpty();
    }

    // ----------------------------------------------------------------- §17.3.5 capacity not loaded by the deadline

    [Fact]
    public void CapacityNotLoaded_RaisedAtTheFirstEntryAfterTheDeadline_TheLateLoadJoins()
    {
        var log = World(loadKg2: false);
        log.Ok(On(2027, 3, 1), new DistrictRegistered("south", "Южный район"));
        log.Of(SignalKinds.CapacityNotLoaded).Should().BeEmpty("on the deadline itself the data may still come");
        var after = log.Ok(On(2027, 3, 2), new DistrictRegistered("east", "Восточный район"));

        var s = log.Single(SignalKinds.CapacityNotLoaded);
        ShouldBeRaisedAt(s, log, after, new SignalSubject(District: "north", Kindergarten: "kg-2", Year: 2027));
        s.Value.Should().Be(1, "one day past the deadline");
        s.Threshold.Should().Be(0);
        s.Entries.Should().Equal(4, after); // kg-2's registration and the raising entry

        var load = log.Ok(On(2027, 3, 11), new CapacityLoaded("annual-plan", [new CapacityRow("kg-2", "junior", 2027, 5)]));
        var joined = log.Single(SignalKinds.CapacityNotLoaded);
        (joined.Id, joined.RaisedSeq, joined.RaisedAt).Should().Be((s.Id, after, s.RaisedAt));
        joined.Value.Should().Be(10, "loaded ten days late");
        joined.Entries.Should().Equal(4, after, load);
    }

    [Fact]
    public void CapacityNotLoaded_LoadedOnTheDeadline_RaisesNothing()
    {
        var log = World(loadKg2: false);
        log.Ok(On(2027, 3, 1), new CapacityLoaded("annual-plan", [new CapacityRow("kg-2", "junior", 2027, 5)]));
        log.Ok(On(2027, 3, 2), new DistrictRegistered("east", "Восточный район"));
        log.Of(SignalKinds.CapacityNotLoaded).Should().BeEmpty();
    }

    [Fact]
    public void CapacityNotLoaded_AKindergartenRegisteredAfterTheDeadline_IsNotLate()
    {
        var log = World();
        log.Ok(On(2027, 3, 2), new KindergartenRegistered("kg-3", "Детский сад № 3", "north", []));
        log.Ok(On(2027, 3, 3), new DistrictRegistered("east", "Восточный район"));
        log.Of(SignalKinds.CapacityNotLoaded).Should().BeEmpty();
    }

    // ----------------------------------------------------------------- §17.3.6 exceptional enrolments

    [Fact]
    public void Exceptional_MoreThanTheMaximumPerKindergartenAndYear_RaisedAtTheEntryPastIt()
    {
        var log = World();
        Claimants(log, 4, claim: new PriorityClaim("first", null));
        var a = log.Ok(On(2027, 3, 1), new EnrolmentExceptional("C-0", "kg-1", "junior", 2027, "court-decision"));
        log.Ok(On(2027, 3, 1, 1), new EnrolmentExceptional("C-1", "kg-2", "junior", 2027, "court-decision"));
        log.Of(SignalKinds.ExceptionalEnrolments).Should().BeEmpty("one per kindergarten is the threshold");
        var b = log.Ok(On(2027, 3, 2), new EnrolmentExceptional("C-2", "kg-1", "junior", 2027, "prosecutor-order"));

        var s = log.Single(SignalKinds.ExceptionalEnrolments);
        ShouldBeRaisedAt(s, log, b, new SignalSubject(District: "central", Kindergarten: "kg-1", Year: 2027));
        (s.Value, s.Threshold).Should().Be((2L, 1L));
        s.Entries.Should().Equal(a, b);

        var c = log.Ok(On(2027, 3, 3), new EnrolmentExceptional("C-3", "kg-1", "junior", 2027, "court-decision"));
        var joined = log.Single(SignalKinds.ExceptionalEnrolments);
        (joined.Id, joined.RaisedSeq, joined.Value).Should().Be((s.Id, b, 3L));
        joined.Entries.Should().Equal(a, b, c);
    }

    // ----------------------------------------------------------------- §17.3.7 staff changes before a round

    [Fact]
    public void StaffChanges_MoreThanTheMaximumByOneActorWithinTheWindow_RaisedAtTheRound()
    {
        var log = World();
        Claimants(log, 5);
        // 1 May − 7 days = 24 April: the first day of the window.
        var change = log.Ok(On(2027, 4, 24), new ApplicationChanged("C-0", ["kg-2"], September), Registrar);
        var withdrawal = log.Ok(On(2027, 4, 25), new ApplicationWithdrawn("C-1", "parent-request"), Registrar);
        log.Ok(On(2027, 4, 23), new ApplicationChanged("C-2", ["kg-2"], September), Registrar); // the day before the window
        log.Ok(On(2027, 4, 26), new ApplicationChanged("C-3", ["kg-2"], September), "parent:p-1"); // a parent is not staff
        log.Ok(On(2027, 4, 27), new ApplicationWithdrawn("C-4", "parent-request"), "federal-portal"); // relayed from the portal
        var round = log.Round("2027-main", May1);

        var s = log.Single(SignalKinds.StaffChangesBeforeRound);
        ShouldBeRaisedAt(s, log, round, new SignalSubject(Actor: Registrar, Round: "2027-main", Year: 2027));
        (s.Value, s.Threshold).Should().Be((2L, 1L));
        s.Entries.Should().Equal(change, withdrawal, round);
    }

    [Fact]
    public void StaffChanges_OnePerActorAtAThresholdOfOne_RaisesNothing()
    {
        var log = World();
        Claimants(log, 2);
        log.Ok(On(2027, 4, 28), new ApplicationChanged("C-0", ["kg-2"], September), Registrar);
        log.Ok(On(2027, 4, 28), new ApplicationWithdrawn("C-1", "parent-request"), "registrar:r-2");
        log.Round("2027-main", May1);
        log.Of(SignalKinds.StaffChangesBeforeRound).Should().BeEmpty();
    }

    [Theory]
    [InlineData("parent:p-1", false)]
    [InlineData("system", false)]
    [InlineData("federal-portal", false)]
    [InlineData("registrar:r-1", true)]
    [InlineData("department:d-1", true)]
    public void IsStaff_ParentsTheServiceAndThePortalAreNotStaff(string actor, bool staff) =>
        SignalLedger.IsStaff(actor).Should().Be(staff);

    // ----------------------------------------------------------------- §17.3.9 mass position loss

    /// <summary>
    /// <paramref name="ahead"/> general applications at kg-1, then M-1 with a first-priority claim:
    /// verifying it moves M-1 ahead of all of them, each losing one place.
    /// </summary>
    private static (SignalLog Log, long Review) Overtaken(int ahead, SignalThresholds? t = null)
    {
        var log = World(t);
        for (var k = 0; k < ahead; k++)
            log.Ok(On(2027, 2, 1, k), Submitted($"Q-{k}", ["kg-1"], On(2027, 2, 1, k), district: "north"), "parent:p-1");
        log.Ok(On(2027, 2, 2), Submitted("M-1", ["kg-1"], On(2027, 2, 2), district: "north", claims: new PriorityClaim("first", null)), "parent:p-2");
        return (log, log.Ok(On(2027, 3, 2), new ClaimReviewed("M-1", 0, true, "document-confirmed"), Verifier));
    }

    [Fact]
    public void PositionLoss_MoreApplicationsThanTheMaximumLosingPlacesThroughOneEntry_RaisedAtIt()
    {
        var (log, review) = Overtaken(3);
        var s = log.Single(SignalKinds.MassPositionLoss);
        ShouldBeRaisedAt(s, log, review, new SignalSubject(Actor: Verifier, Month: March));
        (s.Value, s.Threshold).Should().Be((3L, 2L));
        s.Entries.Should().Equal(review);
    }

    [Fact]
    public void PositionLoss_AtTheMaximumOfApplications_RaisesNothing()
    {
        var (log, _) = Overtaken(2);
        log.Of(SignalKinds.MassPositionLoss).Should().BeEmpty();
    }

    [Fact]
    public void PositionLoss_LosingExactlyTheMinimumOfPlaces_IsNotCounted()
    {
        var (log, _) = Overtaken(5, Thresholds with { PositionLossMinPlaces = 1 });
        log.Of(SignalKinds.MassPositionLoss).Should().BeEmpty("each lost one place, not more than one");
    }

    // ----------------------------------------------------------------- thresholds

    [Fact]
    public void NoThresholds_NothingIsRaised_EvenWhereEveryRuleWouldFire()
    {
        var log = new SignalLog();
        log.Ok(On(2026, 12, 1), new CriteriaPublished(SignalLog.Criteria(null)));
        log.Ok(On(2026, 12, 2), new DistrictRegistered("central", "Центральный район"));
        log.Ok(On(2026, 12, 3), new KindergartenRegistered("kg-1", "Детский сад № 1", "central", ["central"]));
        log.Ok(On(2027, 1, 10), new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 10)]));
        log.Ok(On(2027, 4, 28), new CapacityLoaded("renovation", [new CapacityRow("kg-1", "junior", 2027, 0)]));
        log.Round("2027-main", May1);
        log.Signals.Should().BeEmpty();
        SignalLedger.ThresholdsOn(log.State, May1).Should().BeNull();
    }

    [Fact]
    public void Thresholds_OfTheCriteriaInForceOnTheEntrysDate_Apply()
    {
        // 2027.1 (from 1 January) raises nothing; 2027.2 (from 1 April) publishes thresholds.
        var log = new SignalLog();
        log.Ok(On(2026, 12, 1), new CriteriaPublished(SignalLog.Criteria(null)));
        log.Ok(On(2026, 12, 2), new DistrictRegistered("central", "Центральный район"));
        log.Ok(On(2026, 12, 3), new KindergartenRegistered("kg-1", "Детский сад № 1", "central", ["central"]));
        log.Ok(On(2027, 1, 10), new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 10)]));
        log.Ok(On(2027, 2, 1), new CriteriaPublished(SignalLog.Criteria(Thresholds) with { Version = "2027.2", EffectiveFrom = new LocalDate(2027, 4, 1) }));
        log.Round("2027-pre", new LocalDate(2027, 3, 1));
        SignalLedger.ThresholdsOn(log.State, new LocalDate(2027, 3, 31)).Should().BeNull();
        SignalLedger.ThresholdsOn(log.State, new LocalDate(2027, 4, 1)).Should().Be(Thresholds);
        log.Ok(On(2027, 4, 25), new CapacityLoaded("renovation", [new CapacityRow("kg-1", "junior", 2027, 5)]));
        log.Round("2027-main", May1);
        log.Single(SignalKinds.CapacityCutBeforeRound).Value.Should().Be(5);
    }
}
