using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Signals;
using NodaTime;
using static KinderQueue.Core.Tests.Signals.SignalLog;

namespace KinderQueue.Core.Tests.Signals;

/// <summary>The review workflow of SPEC.md §17.6 and the summary figures of §17.7.</summary>
public sealed class SignalReviewTests
{
    private static readonly LocalDate May1 = new(2027, 5, 1);

    /// <summary>A log with two signals raised by one round: a capacity cut and staff changes.</summary>
    private static (SignalLog Log, SignalView Cut, SignalView Changes) TwoSignals()
    {
        var log = World(seats: 10);
        log.Ok(On(2027, 2, 1), Submitted("C-0", ["kg-1"], On(2027, 2, 1)), "parent:p-1");
        log.Ok(On(2027, 2, 1, 1), Submitted("C-1", ["kg-1"], On(2027, 2, 1, 1)), "parent:p-1");
        log.Ok(On(2027, 4, 25), new CapacityLoaded("renovation", [new CapacityRow("kg-1", "junior", 2027, 5)]));
        log.Ok(On(2027, 4, 26), new ApplicationChanged("C-0", ["kg-2"], September), Registrar);
        log.Ok(On(2027, 4, 27), new ApplicationChanged("C-1", ["kg-2"], September), Registrar);
        log.Round("2027-main", May1);
        return (log, log.Single(SignalKinds.CapacityCutBeforeRound), log.Single(SignalKinds.StaffChangesBeforeRound));
    }

    [Theory]
    [InlineData("new", "investigating", true)]
    [InlineData("new", "explained", true)]
    [InlineData("new", "confirmed", true)]
    [InlineData("investigating", "investigating", true)]
    [InlineData("investigating", "explained", true)]
    [InlineData("investigating", "confirmed", true)]
    [InlineData("explained", "investigating", false)]
    [InlineData("explained", "explained", false)]
    [InlineData("explained", "confirmed", false)]
    [InlineData("confirmed", "investigating", false)]
    [InlineData("confirmed", "explained", false)]
    [InlineData("confirmed", "confirmed", false)]
    [InlineData("investigating", "new", false)]
    [InlineData("new", "new", false)]
    public void Transitions_AsPublished(string from, string to, bool allowed) =>
        SignalStatuses.CanMove(from, to).Should().Be(allowed);

    [Fact]
    public void Review_MovesTheSignal_TimelineInLogOrder_FinalStatusesRefuseMore()
    {
        var (log, cut, _) = TwoSignals();
        var raisedAt = cut.RaisedAt;

        log.Ledger.CheckReview(Review(cut.Id, "investigating")).Should().BeNull();
        var first = log.Ok(raisedAt + Duration.FromMinutes(30), Review(cut.Id, "investigating"), Inspector);
        var second = log.Ok(raisedAt + Duration.FromHours(2), Review(cut.Id, "investigating", text: "Запрошены документы."), Inspector);
        var third = log.Ok(raisedAt + Duration.FromDays(1), Review(cut.Id, "explained", "justified", "Ремонт крыши."), Inspector);

        var s = log.Ledger.Find(cut.Id)!;
        s.Status.Should().Be("explained");
        s.Timeline.Select(t => (t.Seq, t.Status)).Should().Equal((first, "investigating"), (second, "investigating"), (third, "explained"));
        s.Timeline[2].Outcome.Should().Be("justified");
        s.Timeline[2].Actor.Should().Be(Inspector);
        s.Timeline[2].Explanation.Should().Be(Review(cut.Id, "explained", "justified", "Ремонт крыши.").Explanation);
        s.FirstResponse.Should().Be(Duration.FromMinutes(30));
        (s.RaisedSeq, s.RaisedAt).Should().Be((cut.RaisedSeq, cut.RaisedAt), "a review never changes when the signal was raised");

        var refused = log.Ledger.CheckReview(Review(cut.Id, "confirmed", "violation"));
        refused!.Code.Should().Be("signal.review-transition");
        refused.Path.Should().Be("$.status");
        log.Ledger.ReviewProblems.Should().BeEmpty();

        // The fold accepts the shape; the ledger reports the illegal move and leaves the signal as it was.
        var illegal = log.Ok(raisedAt + Duration.FromDays(2), Review(cut.Id, "confirmed", "violation"), Inspector);
        log.Ledger.ReviewProblems.Should().ContainSingle().Which.Should().Match<SignalReviewProblem>(p => p.Seq == illegal && p.Problem.Code == "signal.review-transition");
        log.Ledger.Find(cut.Id)!.Status.Should().Be("explained");
        log.Ledger.Find(cut.Id)!.Timeline.Should().HaveCount(3);
    }

    [Fact]
    public void Review_OfAnUnknownSignal_IsReportedAndChangesNothing()
    {
        var (log, _, _) = TwoSignals();
        var before = log.Ledger.Document().Signals;
        var unknown = Review("sig-0123456789abcdef", "investigating");
        log.Ledger.CheckReview(unknown)!.Code.Should().Be("signal.review-unknown");
        var seq = log.Ok(On(2027, 5, 2), unknown, Inspector);
        log.Ledger.ReviewProblems.Should().ContainSingle().Which.Should().Match<SignalReviewProblem>(p => p.Seq == seq && p.Problem.Code == "signal.review-unknown" && p.Problem.Path == "$.signal");
        var after = log.Ledger.Document();
        after.Size.Should().Be(seq + 1);
        after.Signals.Should().BeEquivalentTo(before, "an unknown review changes no signal");
    }

    [Theory]
    [InlineData("sig-0123", "signal.id")]
    [InlineData("sig-0123456789ABCDEF", "signal.id")]
    public void Review_FoldRefusesAMalformedId(string id, string code)
    {
        var (log, _, _) = TwoSignals();
        log.Try(On(2027, 5, 2), Review(id, "investigating"), Inspector)!.Code.Should().Be(code);
    }

    [Fact]
    public void Review_FoldRefusesAnUnpublishedOutcomeAStatusNewAndAnExplanationThatIsNotAHash()
    {
        var (log, cut, _) = TwoSignals();
        log.Try(On(2027, 5, 2), Review(cut.Id, "investigating", "no-such-outcome"), Inspector)!.Code.Should().Be("reason.unknown");
        log.Try(On(2027, 5, 2), Review(cut.Id, "new"), Inspector)!.Code.Should().Be("signal.status");
        log.Try(On(2027, 5, 2), Review(cut.Id, "investigating") with { Explanation = "Проверено." }, Inspector)!.Code.Should().Be("signal.explanation");
    }

    [Fact]
    public void Summary_CountsPerKindAndStatus_FirstResponseTimes_ConfirmedPerMonthOfTheConfirmingReview()
    {
        var (log, cut, changes) = TwoSignals();
        var empty = log.Ledger.Document().Summary;
        empty.Total.Should().Be(new SignalCounts(2, 0, 0, 0));
        empty.FirstResponse.Should().Be(new SignalResponseTimes(0, null, null, 0));
        empty.ConfirmedByMonth.Should().BeEmpty();

        log.Ok(cut.RaisedAt + Duration.FromMinutes(30), Review(cut.Id, "investigating"), Inspector);
        log.Ok(changes.RaisedAt + Duration.FromHours(2), Review(changes.Id, "investigating"), Inspector);
        // Confirmed on 1 June (Moscow): the month of the confirming review, not of the raise.
        log.Ok(On(2027, 6, 1), Review(changes.Id, "confirmed", "violation"), Inspector);

        var summary = log.Ledger.Document().Summary;
        summary.Total.Should().Be(new SignalCounts(0, 1, 0, 1));
        summary.ByKind.Select(k => k.Kind).Should().Equal(SignalKinds.All);
        summary.ByKind.Single(k => k.Kind == SignalKinds.CapacityCutBeforeRound).Counts.Should().Be(new SignalCounts(0, 1, 0, 0));
        summary.ByKind.Single(k => k.Kind == SignalKinds.StaffChangesBeforeRound).Counts.Should().Be(new SignalCounts(0, 0, 0, 1));
        summary.ByKind.Single(k => k.Kind == SignalKinds.MassPositionLoss).Counts.Total.Should().Be(0);
        // Sorted 1800, 7200: median rank ⌈2·0.5⌉ = 1 → 1800; p90 rank ⌈2·0.9⌉ = 2 → 7200; one within the hour.
        summary.FirstResponse.Should().Be(new SignalResponseTimes(2, 1800, 7200, 1));
        summary.ConfirmedByMonth.Should().Equal(new SignalMonthCount(new YearMonth(2027, 6), 1));
    }

    [Fact]
    public void SignalsJson_IsCanonical_AndNamesEverySignal()
    {
        var (log, cut, changes) = TwoSignals();
        log.Ok(cut.RaisedAt + Duration.FromMinutes(5), Review(cut.Id, "explained", "data-error"), Inspector);
        var bytes = SignalsJson.Write(log.Ledger.Document());
        CanonicalJson.Canonicalize(bytes).GetValueOrThrow().Should().Equal(bytes);
        var published = SignalsJson.ReadPublished(bytes, out var problem);
        problem.Should().BeNull();
        published!.Size.Should().Be(log.State.Size);
        published.Signals.Select(s => s.Id).Should().Equal(cut.Id, changes.Id);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        text.Should().Contain("\"firstResponseSeconds\":300");
        text.Should().Contain("\"firstResponseSeconds\":null");
    }
}
