using System.Collections.Frozen;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;

namespace KinderQueue.Api.Public;

/// <summary>
/// One kindergarten as a parent sees it next to their position (SPEC.md §11.5): seats per age group and
/// the queue by tier, waiting now and for later dates, open offers and enrolments. The counts are the
/// dashboard's own rows, suppressed together with every other published figure, so this view reveals
/// nothing the dashboard does not.
/// </summary>
public sealed record KindergartenContext(string Id, string Name, string District, string DistrictName, string AsOf,
    IReadOnlyList<string> Tiers, IReadOnlyList<KindergartenGroup> Groups);

public sealed record KindergartenGroup(string Group, int? Seats, int? SeatsNextYear, CountsView WaitingNow, CountsView WaitingLater,
    CountsView Offered, CountsView Enrolled);

/// <summary>A count split by tier (in the order of <see cref="KindergartenContext.Tiers"/>) and its total.</summary>
public sealed record CountsView(IReadOnlyList<CountView> ByTier, CountView Total);

/// <summary>An exact value, or null with a marker: "&lt;5" (0–4), "&gt;=5", "hidden".</summary>
public sealed record CountView(long? Value, string? Marker);

public static class KindergartenContexts
{
    public static FrozenDictionary<string, KindergartenContext> From(Dashboard dashboard, QueueState state)
    {
        var rows = dashboard.ByKindergarten.ToLookup(r => r.Kindergarten, StringComparer.Ordinal);
        var asOf = Core.Encoding.Formats.Format(dashboard.AsOf);
        return dashboard.Kindergartens.ToFrozenDictionary(k => k.Id, k => new KindergartenContext(
            k.Id, k.Name, k.District, state.Districts.TryGetValue(k.District, out var d) ? d.Name : k.District, asOf, dashboard.Tiers,
            [.. rows[k.Id].Select(r => new KindergartenGroup(r.Group, r.Seats, r.SeatsNextYear,
                View(r.Counts.WaitingNow), View(r.Counts.WaitingLater), View(r.Counts.Offered), View(r.Counts.Enrolled)))]),
            StringComparer.Ordinal);
    }

    private static CountsView View(TierCounts c) => new([.. c.ByTier.Select(View)], View(c.Total));

    private static CountView View(Count c) => new(c.Value, c.IsSuppressed ? Core.Public.DashboardJson.MarkerText(c.Marker) : null);
}
