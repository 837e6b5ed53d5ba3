using KinderQueue.Core.Public;
using NodaTime;

namespace KinderQueue.Core.Tests.Public;

/// <summary>The packed step storage gives back what was put in, at the edges of every packed field.</summary>
public sealed class PositionStepLogTests
{
    private static readonly Func<int, (string Group, int Year)> Queues = id => ($"g{id}", 2000 + id);
    private static readonly Func<int, string> Tiers = code => $"t{code}";

    [Fact]
    public void Read_AfterAppend_ReturnsEveryField()
    {
        var log = new PositionStepLog();
        log.Append(new LocalDate(-5, 12, 31), -1, 0, 7, 3, 1, 0, null, null, [new ReasonShare(Reason.Calendar, 0, -1)]);
        log.Append(new LocalDate(9999, 1, 1), long.MaxValue, int.MaxValue, 1, 0, 2, 0, null, 100_000,
            [new ReasonShare(Reason.Capacity, 0, long.MaxValue)]);
        log.Append(new LocalDate(2027, 2, 28), 40, 12, 0, 4, 0, PositionStepLog.StatusCode(KinderQueue.Core.State.ApplicationStatus.Offered), null, null,
            [new ReasonShare(Reason.OwnStatus, 0, 40)]);

        var steps = log.Read(Queues, Tiers);

        steps.Should().HaveCount(3);
        steps[0].Should().BeEquivalentTo(new { Date = new LocalDate(-5, 12, 31), FirstSeq = (long?)null, LastSeq = (long?)null, Before = (int?)null, After = 7, Group = "g3", Year = 2003, Tier = "t1", Status = (string?)null, Seats = (SeatChange?)null });
        steps[0].Reasons.Should().BeEquivalentTo(new[] { new StepReason("calendar", 0, [], 0) });
        steps[1].Should().BeEquivalentTo(new { Date = new LocalDate(9999, 1, 1), FirstSeq = long.MaxValue, Before = int.MaxValue, After = 1, Seats = new SeatChange(null, 100_000) });
        steps[2].Should().BeEquivalentTo(new { Before = 12, After = (int?)null, Status = "offered" });
    }

    [Fact]
    public void Append_SameDateCoalescible_MergesInReasonOrder_AndCountsBeyondTwentyAsMore()
    {
        var log = new PositionStepLog();
        var day = new LocalDate(2027, 3, 1);
        log.Append(day, 10, 5, 4, 0, 0, 0, null, null, [new ReasonShare(Reason.Withdrawn, -1, 10)]);
        for (var seq = 11; seq <= 35; seq++) log.Append(day, seq, 0, 4 + seq - 10, 0, 0, 0, null, null, [new ReasonShare(Reason.NewAhead, 1, seq)]);
        log.Append(day.PlusDays(1), 36, 29, 30, 0, 0, 0, null, null, [new ReasonShare(Reason.NewAhead, 1, 36)]);

        var steps = log.Read(Queues, Tiers);

        steps.Should().HaveCount(2);
        (steps[0].Before, steps[0].After, steps[0].FirstSeq, steps[0].LastSeq).Should().Be((5, 29, 10L, 35L));
        steps[0].Reasons.Select(r => (r.Reason, r.Count, r.Seqs.Length, r.More)).Should().Equal(("new-ahead", 25, 20, 5), ("withdrawn", -1, 1, 0));
        steps[0].Reasons[0].Seqs.Should().Equal(Enumerable.Range(11, 20).Select(i => (long)i));
        (steps[1].Before, steps[1].After).Should().Be((29, 30));
    }

    [Fact]
    public void Append_ReasonsOutOfOrder_AreRefused()
    {
        var log = new PositionStepLog();

        var act = () => log.Append(new LocalDate(2027, 3, 1), 1, 1, 3, 0, 0, 0, null, null,
            [new ReasonShare(Reason.Archived, -1, 1), new ReasonShare(Reason.Placed, -1, 1)]);

        act.Should().Throw<ArgumentException>();
    }
}
