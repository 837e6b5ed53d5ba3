using System.Collections.Frozen;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;

namespace KinderQueue.Api.Public;

/// <summary>
/// One kindergarten as a parent sees it next to their position (SPEC.md §14.4): seats per age group and
/// the queue by tier, waiting now and for later dates, open offers and enrolments. The counts are the
/// dashboard's own rows, suppressed together with every other published figure, so this view reveals
/// nothing the dashboard does not.
/// </summary>
public sealed record KindergartenContext(string Id, string Name, string District, string DistrictName, string AsOf,
    IReadOnlyList<string> Tiers, IReadOnlyList<KindergartenGroup> Groups, IReadOnlyList<MonthView> Months);

/// <summary>
/// The short form in a parent's report: the age group the child queues for, its seats and queue by
/// tier (waiting now, and for a later date: a parent's queue of the year counts both), open offers and
/// enrolments; the rest (other groups, months) is at /public/kindergartens/{id}.
/// </summary>
public sealed record KindergartenBrief(string Id, string Name, string District, string DistrictName, string Group, int? Seats, int? SeatsNextYear,
    IReadOnlyList<string> Tiers, CountsView WaitingNow, CountsView WaitingLater, CountView Offered, CountView Enrolled);

/// <summary>A month at a kindergarten (SPEC.md §14.4): new applications listing it, and for a finished month those waiting at its end.</summary>
public sealed record MonthView(string Month, CountView NewApplications, CountView? WaitingAtEnd);

public sealed record KindergartenGroup(string Group, int? Seats, int? SeatsNextYear, CountsView WaitingNow, CountsView WaitingLater,
    CountsView Offered, CountsView Enrolled);

/// <summary>A count split by tier (in the order of <see cref="KindergartenContext.Tiers"/>) and its total.</summary>
public sealed record CountsView(IReadOnlyList<CountView> ByTier, CountView Total);

/// <summary>An exact value, or null with the §13 marker: "&lt;5" (1–4) or "hidden" (at least 1).</summary>
public sealed record CountView(long? Value, string? Marker);

public static class KindergartenContexts
{
    public static FrozenDictionary<string, KindergartenContext> From(Dashboard dashboard, PublicModel model)
    {
        var state = model.State;
        var rows = dashboard.ByKindergarten.ToLookup(r => r.Kindergarten, StringComparer.Ordinal);
        var asOf = Core.Encoding.Formats.Format(dashboard.AsOf);
        var waitingNow = KindergartenMovement.WaitingByKindergarten(state);
        return dashboard.Kindergartens.ToFrozenDictionary(k => k.Id, k => new KindergartenContext(
            k.Id, k.Name, k.District, state.Districts.TryGetValue(k.District, out var d) ? d.Name : k.District, asOf, dashboard.Tiers,
            [.. rows[k.Id].Select(r => new KindergartenGroup(r.Group, r.Seats, r.SeatsNextYear,
                View(r.Counts.WaitingNow), View(r.Counts.WaitingLater), View(r.Counts.Offered), View(r.Counts.Enrolled)))],
            [.. model.Movement.Of(k.Id, dashboard.AsOf, waitingNow).Select(m => new MonthView(
                $"{m.Month.Year:D4}-{m.Month.Month:D2}", View(m.NewApplications), m.WaitingAtEnd is { } w ? View(w) : null))]),
            StringComparer.Ordinal);
    }

    /// <summary>The brief of every (kindergarten, group) row, for the parents' reports.</summary>
    public static FrozenDictionary<(string Kindergarten, string Group), KindergartenBrief> Briefs(FrozenDictionary<string, KindergartenContext> contexts) =>
        contexts.Values.SelectMany(k => k.Groups.Select(g => new KindergartenBrief(k.Id, k.Name, k.District, k.DistrictName, g.Group, g.Seats, g.SeatsNextYear,
                k.Tiers, g.WaitingNow, g.WaitingLater, g.Offered.Total, g.Enrolled.Total)))
            .ToFrozenDictionary(b => (b.Id, b.Group));

    private static CountsView View(TierCounts c) => new([.. c.ByTier.Select(View)], View(c.Total));

    private static CountView View(Count c) => new(c.Value, c.IsSuppressed ? Core.Public.DashboardJson.MarkerText(c.Marker) : null);
}
