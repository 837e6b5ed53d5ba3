using System.Collections.Immutable;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Core.Public;

/// <summary>
/// The true counts of the queue tables (SPEC.md §13.2): per kindergarten and age group the queue as
/// positions see it (every waiting application that lists the kindergarten, SPEC.md §7.6), per
/// district of residence and age group each application once, and the region.
/// </summary>
internal static class QueueTables
{
    internal sealed record Tables(
        ImmutableArray<KindergartenRow> ByKindergarten,
        ImmutableArray<DistrictRow> ByDistrict,
        ImmutableArray<GroupRow> ByGroup,
        QueueCounts Region);

    public static Tables Compute(QueueState state, CriteriaDocument criteria, LocalDate asOf, int year,
        ImmutableArray<District> districts, ImmutableArray<Kindergarten> kindergartens)
    {
        var rule = criteria.AgeRule;
        int tierCount = criteria.Tiers.Length, groupCount = rule.Groups.Length;
        const int Measures = DashboardBuilder.MeasureCount;
        var kgIndex = Index(kindergartens.Select(k => k.Id));
        var districtIndex = Index(districts.Select(d => d.Id));
        var groupIndex = Index(rule.Groups.Select(g => g.Id));
        var byKg = new long[kindergartens.Length * groupCount * Measures * tierCount];
        var byDistrict = new long[districts.Length * groupCount * Measures * tierCount];
        int Slot(int row, int group, int measure, int tier) => ((row * groupCount + group) * Measures + measure) * tierCount + tier;

        var tiers = new TierResolver(criteria, kindergartens.Select(k => new KindergartenInfo(k.Id, k.District, k.Catchment)));
        foreach (var a in state.Applications.Values)
        {
            switch (a.Status)
            {
                case ApplicationStatus.Waiting:
                {
                    // The queue an application is in today (SPEC.md §7.6): from the later of its desired
                    // start and today, in the age group of that date's enrolment year.
                    var from = a.DesiredStart > asOf ? a.DesiredStart : asOf;
                    if (AgeCalculator.AgeOn(a.BirthMonth, from) >= rule.ArchiveAge) break;
                    var group = AgeCalculator.GroupFor(rule, a.BirthMonth, AgeCalculator.EnrolmentYear(rule, from));
                    if (group is null) break;
                    var g = groupIndex[group.Id];
                    var measure = a.DesiredStart <= asOf ? DashboardBuilder.WaitingNow : DashboardBuilder.WaitingLater;
                    var ranks = tiers.ForClaims(a.District, Claims(a));
                    var best = tierCount - 1;
                    foreach (var k in a.Preferences)
                    {
                        var rank = ranks.RankAt(k);
                        byKg[Slot(kgIndex[k], g, measure, rank)]++;
                        best = Math.Min(best, rank);
                    }
                    // Per district each application counts once, at the best tier it has at any kindergarten it lists.
                    byDistrict[Slot(districtIndex[a.District], g, measure, best)]++;
                    break;
                }
                case ApplicationStatus.Offered:
                case ApplicationStatus.Enrolled when a.Placement!.Year >= year:
                {
                    var p = a.Placement!;
                    // A placement in a group the criteria in force no longer have has no row.
                    if (!groupIndex.TryGetValue(p.Group, out var g)) break;
                    var measure = a.Status == ApplicationStatus.Offered ? DashboardBuilder.Offered : DashboardBuilder.Enrolled;
                    var rank = tiers.ForClaims(a.District, Claims(a)).RankAt(p.Kindergarten);
                    byKg[Slot(kgIndex[p.Kindergarten], g, measure, rank)]++;
                    byDistrict[Slot(districtIndex[a.District], g, measure, rank)]++;
                    break;
                }
                default:
                    break;
            }
        }

        QueueCounts Counts(long[] table, int row, int group) =>
            new(Tier(table, Slot(row, group, DashboardBuilder.WaitingNow, 0), tierCount),
                Tier(table, Slot(row, group, DashboardBuilder.WaitingLater, 0), tierCount),
                Tier(table, Slot(row, group, DashboardBuilder.Offered, 0), tierCount),
                Tier(table, Slot(row, group, DashboardBuilder.Enrolled, 0), tierCount));

        var kgRows = ImmutableArray.CreateBuilder<KindergartenRow>(kindergartens.Length * groupCount);
        for (var k = 0; k < kindergartens.Length; k++)
        {
            for (var g = 0; g < groupCount; g++)
            {
                var id = kindergartens[k].Id;
                var group = rule.Groups[g].Id;
                kgRows.Add(new KindergartenRow(id, kindergartens[k].District, group,
                    Seats(state, id, group, year), Seats(state, id, group, year + 1), Counts(byKg, k, g)));
            }
        }
        var districtRows = ImmutableArray.CreateBuilder<DistrictRow>(districts.Length * groupCount);
        for (var d = 0; d < districts.Length; d++)
        {
            for (var g = 0; g < groupCount; g++) districtRows.Add(new DistrictRow(districts[d].Id, rule.Groups[g].Id, Counts(byDistrict, d, g)));
        }

        // The region sums the districts: every counted application has exactly one district row.
        var byGroup = new long[groupCount * Measures * tierCount];
        for (var d = 0; d < districts.Length; d++)
        {
            for (var i = 0; i < byGroup.Length; i++) byGroup[i] += byDistrict[d * byGroup.Length + i];
        }
        var region = new long[Measures * tierCount];
        for (var g = 0; g < groupCount; g++)
        {
            for (var i = 0; i < region.Length; i++) region[i] += byGroup[g * region.Length + i];
        }
        var groupRows = ImmutableArray.CreateBuilder<GroupRow>(groupCount);
        for (var g = 0; g < groupCount; g++) groupRows.Add(new GroupRow(rule.Groups[g].Id, Counts(byGroup, 0, g)));
        return new Tables(kgRows.MoveToImmutable(), districtRows.MoveToImmutable(), groupRows.MoveToImmutable(), Counts(region, 0, 0));
    }

    private static Dictionary<string, int> Index(IEnumerable<string> ids)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var id in ids) index[id] = index.Count;
        return index;
    }

    private static ImmutableArray<ApplicantClaim> Claims(ApplicationRecord a) =>
        a.Claims.IsEmpty ? [] : [.. a.Claims.Select(c => new ApplicantClaim(c.Tier, c.Kindergarten, c.Verified == true))];

    private static int? Seats(QueueState state, string kindergarten, string group, int year) =>
        state.Capacity.TryGetValue(new ProgramId(kindergarten, group, year), out var seats) ? seats : null;

    private static TierCounts Tier(long[] table, int start, int tierCount)
    {
        var byTier = ImmutableArray.CreateBuilder<Count>(tierCount);
        long total = 0;
        for (var t = 0; t < tierCount; t++)
        {
            byTier.Add(Count.Exact(table[start + t]));
            total += table[start + t];
        }
        return new TierCounts(byTier.MoveToImmutable(), Count.Exact(total));
    }
}
