using System.Collections.Immutable;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Core.Public;

/// <summary>
/// Computes the true figures of the dashboard (SPEC.md §13.2–13.3) from the state and the
/// recorder, then hands the queue tables to <see cref="DashboardSuppression"/>. The unsuppressed
/// tables never leave Core: only tests look at them, to check that what is published equals them.
/// </summary>
internal static class DashboardBuilder
{
    // Queue measures in the order of their JSON keys (document order): enrolled, offered, waitingLater, waitingNow.
    internal const int Enrolled = 0, Offered = 1, WaitingLater = 2, WaitingNow = 3, MeasureCount = 4;

    public static Dashboard Build(DashboardRecorder recorder, QueueState state, LocalDate asOf, bool secondary)
    {
        var raw = BuildTrue(recorder, state, asOf);
        return DashboardSuppression.Apply(raw, secondary).Published;
    }

    /// <summary>The dashboard with every count exact and nothing suppressed.</summary>
    internal static Dashboard BuildTrue(DashboardRecorder recorder, QueueState state, LocalDate asOf)
    {
        var criteria = state.CriteriaInForce(asOf);
        var year = criteria is null ? (int?)null : AgeCalculator.EnrolmentYear(criteria.AgeRule, asOf);
        var districts = state.Districts.Values.OrderBy(d => d.Id, StringComparer.Ordinal).ToImmutableArray();
        var kindergartens = state.Kindergartens.Values.OrderBy(k => k.Id, StringComparer.Ordinal).ToImmutableArray();

        var queues = criteria is null ? null : QueueTables.Compute(state, criteria, asOf, year!.Value, districts, kindergartens);
        return new Dashboard(
            AsOf: asOf,
            Basis: state.Size,
            Criteria: criteria?.Version,
            Year: year,
            Tiers: criteria is null ? [] : [.. criteria.Tiers.Select(t => t.Id)],
            Groups: criteria is null ? [] : [.. criteria.AgeRule.Groups.Select(g => g.Id)],
            Districts: [.. districts.Select(d => new RegisteredDistrict(d.Id, d.Name))],
            Kindergartens: [.. kindergartens.Select(k => new RegisteredKindergarten(k.Id, k.Name, k.District))],
            ByKindergarten: queues?.ByKindergarten ?? [],
            ByDistrict: queues?.ByDistrict ?? [],
            ByGroup: queues?.ByGroup ?? [],
            Region: queues?.Region,
            Months: Months(recorder, asOf),
            EnrolmentYears: EnrolmentYears(state, year),
            EnrolmentsAllTime: EnrolmentsAllTime(state, recorder),
            WaitingFrom: WaitingWindowStart(asOf),
            WaitingTimes: WaitingTimes(recorder, districts, asOf),
            Channels: [.. DashboardRecorder.ChannelOrder.Select((c, i) =>
                new ChannelRow(c, recorder.SubmittedByChannel[i], recorder.BackdatedByChannel[i]))],
            CapacityCuts: [.. recorder.Rounds]);
    }

    /// <summary>
    /// From the month of the first entry to the month of <paramref name="asOf"/>, which is published
    /// so far (a new service, or one on the first days of a month, would otherwise show no dynamics).
    /// </summary>
    private static ImmutableArray<MonthRow> Months(DashboardRecorder recorder, LocalDate asOf)
    {
        if (recorder.FirstMonth is not { } first) return [];
        var last = new YearMonth(asOf.Year, asOf.Month);
        var rows = ImmutableArray.CreateBuilder<MonthRow>();
        long carried = 0;
        for (var m = first; m <= last; m = m.PlusMonths(1))
        {
            var flows = recorder.Months.GetValueOrDefault(m);
            // A month the log has not moved past yet ends with the current count; a month without
            // entries ends as the one before it did.
            long waiting = m >= recorder.CurrentMonth!.Value ? recorder.WaitingNow : flows?.WaitingAtEnd ?? carried;
            carried = waiting;
            rows.Add(new MonthRow(m, Complete: m < last,
                flows?.Submitted ?? 0, flows?.Offers ?? 0, flows?.Declined ?? 0,
                flows?.Expired ?? 0, flows?.Enrolments ?? 0, flows?.Withdrawals ?? 0, waiting));
        }
        return rows.ToImmutable();
    }

    /// <summary>Rows for the enrolment year of every round and for the current year, ascending.</summary>
    private static ImmutableArray<EnrolmentYearRow> EnrolmentYears(QueueState state, int? currentYear)
    {
        var years = new SortedSet<int>(state.Decisions.Select(d => d.Decision.Year));
        if (currentYear is { } y) years.Add(y);
        var byAlgorithm = new Dictionary<int, long>();
        var exceptional = new Dictionary<int, long>();
        foreach (var a in state.Applications.Values)
        {
            if (a.Status != ApplicationStatus.Enrolled) continue;
            var counts = a.Placement!.OutsideAlgorithm ? exceptional : byAlgorithm;
            counts[a.Placement.Year] = counts.GetValueOrDefault(a.Placement.Year) + 1;
        }
        return [.. years.Select(year =>
        {
            var alg = byAlgorithm.GetValueOrDefault(year);
            var exc = exceptional.GetValueOrDefault(year);
            return new EnrolmentYearRow(year, alg, exc, Shares.Of(alg, exc));
        })];
    }

    private static EnrolmentTotals EnrolmentsAllTime(QueueState state, DashboardRecorder recorder)
    {
        long alg = 0, exc = 0;
        var byBasis = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var a in state.Applications.Values)
        {
            if (a.Status != ApplicationStatus.Enrolled) continue;
            if (!a.Placement!.OutsideAlgorithm)
            {
                alg++;
                continue;
            }
            exc++;
            var basis = recorder.LegalBasisOf(a.Number);
            byBasis[basis] = byBasis.GetValueOrDefault(basis) + 1;
        }
        return new EnrolmentTotals(alg, exc, Shares.Of(alg, exc), [.. byBasis.Select(b => new LegalBasisCount(b.Key, b.Value, PublishedName(state, b.Key)))]);
    }

    private static LocalizedName? PublishedName(QueueState state, string basis)
    {
        for (var i = state.CriteriaVersions.Count - 1; i >= 0; i--)
        {
            if (state.CriteriaVersions[i].Criteria.ReasonCodes.Find(ReasonList.ExceptionalBasis, basis) is { } code) return code.Name;
        }
        return null;
    }

    /// <summary>Rounds dated within the year that ends on <paramref name="asOf"/> count: from the day after asOf minus one year.</summary>
    internal static LocalDate WaitingWindowStart(LocalDate asOf) => asOf.PlusYears(-1).PlusDays(1);

    private static ImmutableArray<WaitingTime> WaitingTimes(DashboardRecorder recorder, ImmutableArray<District> districts, LocalDate asOf)
    {
        var from = WaitingWindowStart(asOf);
        var byDistrict = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var region = new List<int>();
        foreach (var o in recorder.FirstOffers)
        {
            if (o.RoundDate < from || o.RoundDate > asOf) continue;
            region.Add(o.WaitDays);
            if (!byDistrict.TryGetValue(o.District, out var list)) byDistrict[o.District] = list = [];
            list.Add(o.WaitDays);
        }
        var rows = ImmutableArray.CreateBuilder<WaitingTime>(districts.Length + 1);
        rows.Add(Percentiles(null, region));
        foreach (var d in districts) rows.Add(Percentiles(d.Id, byDistrict.GetValueOrDefault(d.Id) ?? []));
        return rows.MoveToImmutable();
    }

    private static WaitingTime Percentiles(string? district, List<int> days)
    {
        days.Sort();
        return new WaitingTime(district,
            days.Count >= Dashboard.MinimumForMedian ? NearestRank(days, 50) : null,
            days.Count >= Dashboard.MinimumForP90 ? NearestRank(days, 90) : null);
    }

    /// <summary>The nearest-rank percentile: the value at rank ⌈p·n/100⌉ of the ascending list (integers only).</summary>
    internal static int NearestRank(List<int> ascending, int percent) => ascending[(percent * ascending.Count + 99) / 100 - 1];
}

/// <summary>The share of enrolments by the algorithm (SPEC.md §13.2.2).</summary>
internal static class Shares
{
    private const long Scale = 10_000;

    /// <summary>Null when nobody was enrolled: there is no share to show.</summary>
    public static Share? Of(long byAlgorithm, long exceptional)
    {
        if (byAlgorithm + exceptional == 0) return null;
        var basisPoints = (int)(Scale * byAlgorithm / (byAlgorithm + exceptional));
        return new Share(basisPoints, basisPoints >= Dashboard.TargetShare);
    }
}
