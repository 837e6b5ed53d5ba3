using System.Collections.Immutable;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Core.Public;

/// <summary>One month at one kindergarten: new applications that list it, and (for a finished month) how many waited listing it at its end.</summary>
public sealed record KindergartenMonth(YearMonth Month, Count NewApplications, Count? WaitingAtEnd);

/// <summary>
/// Movement of each kindergarten's queue over recent months (SPEC.md §14.4), from the log alone: per
/// local calendar month, the applications submitted that month that list the kindergarten, and at the
/// end of each finished month the waiting applications that list it. Neither figure is summed into any
/// other published figure (an application lists several kindergartens, and regional counts count each
/// application once), so primary suppression is enough: every count in 1..4 is published as "&lt;5".
/// </summary>
public sealed class KindergartenMovement
{
    /// <summary>Months published, the current one included.</summary>
    public const int Months = 12;

    private readonly Dictionary<string, SortedDictionary<YearMonth, (int New, int? WaitingAtEnd)>> _byKindergarten = new(StringComparer.Ordinal);
    private YearMonth? _month;

    /// <summary>
    /// Call with each entry before the fold applies it: the state is then the state at the end of the
    /// previous entry, which is what a month that ends here must record.
    /// </summary>
    public void Before(LogEntry entry, LogEvent e, QueueState before)
    {
        var month = before.LocalDate(entry.At).ToYearMonth();
        if (e is CriteriaPublished c)
        {
            // The first criteria fix the region's time zone: months count from then on.
            month = entry.At.InZone(DateTimeZoneProviders.Tzdb.GetZoneOrNull(c.Criteria.TimeZone) ?? DateTimeZone.Utc).Date.ToYearMonth();
        }
        if (_month is { } current && month > current) CloseMonth(current, before);
        if (_month is null || month > _month) _month = month;
        if (e is ApplicationSubmitted a)
        {
            foreach (var kg in a.Preferences)
            {
                var months = MonthsOf(kg);
                var m = _month!.Value;
                months[m] = months.TryGetValue(m, out var x) ? (x.New + 1, x.WaitingAtEnd) : (1, null);
            }
        }
    }

    /// <summary>
    /// The last <see cref="Months"/> months up to the month of <paramref name="asOf"/>, suppressed; oldest
    /// first. <paramref name="waitingNow"/> is <see cref="WaitingByKindergarten"/> of the current state:
    /// how finished months with no entry since the last one ended.
    /// </summary>
    public ImmutableArray<KindergartenMonth> Of(string kindergarten, LocalDate asOf, IReadOnlyDictionary<string, int> waitingNow)
    {
        var last = asOf.ToYearMonth();
        var first = last.PlusMonths(-(Months - 1));
        _byKindergarten.TryGetValue(kindergarten, out var months);
        var result = ImmutableArray.CreateBuilder<KindergartenMonth>(Months);
        for (var m = first; m <= last; m = m.PlusMonths(1))
        {
            var x = months is not null && months.TryGetValue(m, out var v) ? v : (0, (int?)null);
            int? end = null;
            if (m < last)
            {
                // Months up to the log's last one are closed when a later entry arrives; after it nothing changed.
                end = _month is { } current && m < current ? x.Item2 ?? WaitingFromEarlier(months, m)
                    : _month is null ? 0 : waitingNow.GetValueOrDefault(kindergarten);
            }
            result.Add(new KindergartenMonth(m, Suppress(x.Item1), end is { } e ? Suppress(e) : null));
        }
        return result.MoveToImmutable();
    }

    /// <summary>A count of applications as published: exact unless it is 1..4 (SPEC.md §13).</summary>
    public static Count Suppress(int value) => value is > 0 and < Dashboard.Threshold ? new Count(null, CountMarker.LessThanFive) : Count.Exact(value);

    // A month with no entry at all did not change the queue: it ends as the last recorded month ended.
    private static int WaitingFromEarlier(SortedDictionary<YearMonth, (int New, int? WaitingAtEnd)>? months, YearMonth m)
    {
        if (months is null) return 0;
        var best = 0;
        foreach (var (month, x) in months)
        {
            if (month > m) break;
            if (x.WaitingAtEnd is { } w) best = w;
        }
        return best;
    }

    /// <summary>Waiting applications listing each kindergarten.</summary>
    public static Dictionary<string, int> WaitingByKindergarten(QueueState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var waiting = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var a in state.Applications.Values)
        {
            if (a.Status != ApplicationStatus.Waiting) continue;
            foreach (var kg in a.Preferences) waiting[kg] = waiting.GetValueOrDefault(kg) + 1;
        }
        return waiting;
    }

    private void CloseMonth(YearMonth month, QueueState state)
    {
        var waiting = WaitingByKindergarten(state);
        foreach (var kg in state.Kindergartens.Keys)
        {
            var months = MonthsOf(kg);
            var n = waiting.GetValueOrDefault(kg);
            months[month] = months.TryGetValue(month, out var x) ? (x.New, n) : (0, n);
        }
    }

    private SortedDictionary<YearMonth, (int New, int? WaitingAtEnd)> MonthsOf(string kindergarten)
    {
        if (!_byKindergarten.TryGetValue(kindergarten, out var months)) _byKindergarten[kindergarten] = months = new();
        return months;
    }
}
