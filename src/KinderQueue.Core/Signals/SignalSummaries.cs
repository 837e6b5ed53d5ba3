using System.Collections.Immutable;
using NodaTime;

namespace KinderQueue.Core.Signals;

/// <summary>The summary figures of SPEC.md §17.7, computed from the signals of a document.</summary>
internal static class SignalSummaries
{
    public static SignalSummary Of(ImmutableArray<SignalView> signals, IReadOnlyDictionary<string, YearMonth> confirmedIn)
    {
        var byKind = SignalKinds.All.Select(k => new SignalKindCounts(k, Count(signals.Where(s => s.Kind == k)))).ToImmutableArray();
        // A review entry may carry an earlier instant than the entry that raised its signal (entry
        // times may go back, SPEC.md §6.1): such a response counts as immediate.
        var seconds = signals
            .Select(s => s.FirstResponse)
            .Where(d => d is not null)
            .Select(d => Math.Max(0L, (long)Math.Floor(d!.Value.TotalSeconds)))
            .Order()
            .ToArray();
        var response = new SignalResponseTimes(seconds.Length, NearestRank(seconds, 50), NearestRank(seconds, 90),
            seconds.LongCount(x => x <= 3600));
        var months = signals
            .Where(s => s.Status == SignalStatuses.Confirmed && confirmedIn.ContainsKey(s.Id))
            .GroupBy(s => confirmedIn[s.Id])
            .OrderBy(g => g.Key)
            .Select(g => new SignalMonthCount(g.Key, g.LongCount()))
            .ToImmutableArray();
        return new SignalSummary(Count(signals), byKind, response, months);
    }

    private static SignalCounts Count(IEnumerable<SignalView> signals)
    {
        long n = 0, i = 0, e = 0, c = 0;
        foreach (var s in signals)
        {
            switch (s.Status)
            {
                case SignalStatuses.New: n++; break;
                case SignalStatuses.Investigating: i++; break;
                case SignalStatuses.Explained: e++; break;
                default: c++; break;
            }
        }
        return new SignalCounts(n, i, e, c);
    }

    /// <summary>The nearest-rank percentile of sorted values: the value at rank ⌈p/100 · n⌉ (1-based); null for none.</summary>
    private static long? NearestRank(long[] sorted, int p) =>
        sorted.Length == 0 ? null : sorted[Math.Max(0, (int)(((long)p * sorted.Length + 99) / 100) - 1)];
}
