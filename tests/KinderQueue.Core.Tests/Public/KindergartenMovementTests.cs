using FsCheck.Xunit;
using KinderQueue.Core.Events;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Core.Tests.Public;

/// <summary>
/// Kindergarten movement (SPEC.md §14.4) against a reference that recomputes each month from the log
/// by brute force, on random regions with many small figures: every published value is the true one,
/// and no published value lies in 1..4.
/// </summary>
public sealed class KindergartenMovementTests
{
    [Property(MaxTest = 200, Arbitrary = new[] { typeof(RegionArbitrary) })]
    public bool Published_months_are_the_true_figures_and_none_is_below_five(RegionCase c)
    {
        var movement = new KindergartenMovement();
        var state = new QueueState();
        foreach (var (entry, e) in c.Log.Entries)
        {
            movement.Before(entry, e, state);
            state.Apply(entry, e).Should().BeNull();
        }
        var waitingNow = KindergartenMovement.WaitingByKindergarten(state);
        foreach (var kg in state.Kindergartens.Keys)
        {
            var months = movement.Of(kg, c.AsOf, waitingNow);
            months.Should().HaveCount(KindergartenMovement.Months);
            months[^1].Month.Should().Be(c.AsOf.ToYearMonth());
            foreach (var m in months)
            {
                var (expectedNew, expectedEnd) = Reference(c.Log.Entries, kg, m.Month, c.AsOf);
                Check(m.NewApplications, expectedNew, $"{kg} {m.Month} new");
                if (expectedEnd is null) m.WaitingAtEnd.Should().BeNull($"{kg} {m.Month} has not ended");
                else Check(m.WaitingAtEnd!.Value, expectedEnd.Value, $"{kg} {m.Month} waiting at end");
            }
        }
        return true;

        void Check(Count published, int truth, string what)
        {
            if (truth is > 0 and < Dashboard.Threshold)
            {
                published.Value.Should().BeNull(what);
                published.Marker.Should().Be(CountMarker.LessThanFive, what);
            }
            else
            {
                published.Should().Be(Count.Exact(truth), what);
            }
        }
    }

    [Fact]
    public void A_month_counts_new_applications_listing_the_kindergarten_and_those_waiting_at_its_end()
    {
        var c = RandomRegion.Generate(seed: 7, size: 40);
        var movement = new KindergartenMovement();
        var state = new QueueState();
        foreach (var (entry, e) in c.Log.Entries)
        {
            movement.Before(entry, e, state);
            state.Apply(entry, e);
        }
        var kg = state.Kindergartens.Keys.Order(StringComparer.Ordinal).First();
        // Twelve months back from December 2027 are the calendar year 2027.
        var submittedListing = c.Log.Entries.Count(x => x.Event is ApplicationSubmitted a && a.Preferences.Contains(kg)
            && x.Entry.At.InZone(RecordedLog.Moscow).Year == 2027);
        var months = movement.Of(kg, new LocalDate(2027, 12, 31), KindergartenMovement.WaitingByKindergarten(state));
        var published = (int)months.Sum(m => m.NewApplications.Value ?? 0);
        var hidden = months.Count(m => m.NewApplications.Marker == CountMarker.LessThanFive);
        submittedListing.Should().BeInRange(published + hidden, published + 4 * hidden);
    }

    /// <summary>Brute force: the month's submissions listing the kindergarten; the waiting ones after the month's last entry.</summary>
    private static (int New, int? WaitingAtEnd) Reference(List<(Core.Log.LogEntry Entry, LogEvent Event)> entries, string kg, YearMonth month, LocalDate asOf)
    {
        var zone = RecordedLog.Moscow;
        YearMonth MonthOf(Core.Log.LogEntry e) => e.At.InZone(zone).Date.ToYearMonth();
        var created = entries.Count(x => x.Event is ApplicationSubmitted a && a.Preferences.Contains(kg) && MonthOf(x.Entry) == month);
        if (month >= asOf.ToYearMonth()) return (created, null);
        var state = new QueueState();
        foreach (var (entry, e) in entries)
        {
            if (MonthOf(entry) > month) break;
            state.Apply(entry, e);
        }
        var waiting = state.Applications.Values.Count(a => a.Status == ApplicationStatus.Waiting && a.Preferences.Contains(kg));
        return (created, waiting);
    }
}
