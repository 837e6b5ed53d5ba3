using KinderQueue.Core.Public;

namespace KinderQueue.Core.Tests.Public;

/// <summary>
/// Someone who reads every published figure of a dashboard, knows what each marker means and every
/// relation between the figures, and narrows each hidden count to an interval by constraint
/// propagation: start from what the markers say (&lt;5: 1..4, hidden: 1 or more; zeros are always published),
/// then tighten every term of every relation against the others until nothing changes.
/// </summary>
/// <remarks>
/// Written apart from the production code on purpose: cells are named by their place in the
/// dashboard, the relations are listed again here from the meaning of the tables (SPEC.md §13.4),
/// the loop is a plain repeat-until-stable over all relations, and "unbounded" is a large number.
/// Relations that are not true by definition are used when they hold on the true figures: the
/// attacker is assumed to know every relation that happens to be true.
/// </remarks>
internal sealed class Attacker
{
    private const long Large = 1_000_000_000_000;

    internal sealed record Cell(string Name, Count Published, long Truth);

    internal sealed record Relation(string Name, (int Cell, int Sign)[] Terms);

    private readonly List<Cell> _cells = [];
    private readonly List<Relation> _relations = [];

    public IReadOnlyList<Cell> Cells => _cells;
    public IReadOnlyList<Relation> Relations => _relations;

    public Attacker(Dashboard published, Dashboard truth)
    {
        var tiers = published.Tiers.Length;
        int C(string name, Count p, Count t)
        {
            _cells.Add(new Cell(name, p, t.Value!.Value));
            return _cells.Count - 1;
        }
        // Enrolments, months and channels are published exactly (SPEC.md §13.4): they enter the relations as known values.
        int E(string name, long p, long t) => C(name, Count.Exact(p), Count.Exact(t));
        // Per measure: tier cells then the total (index tiers).
        int[][] Q(string name, QueueCounts p, QueueCounts t)
        {
            var pm = new[] { p.WaitingNow, p.WaitingLater, p.Offered, p.Enrolled };
            var tm = new[] { t.WaitingNow, t.WaitingLater, t.Offered, t.Enrolled };
            var names = new[] { "waitingNow", "waitingLater", "offered", "enrolled" };
            return [.. Enumerable.Range(0, 4).Select(m =>
                Enumerable.Range(0, tiers).Select(i => C($"{name}.{names[m]}.{published.Tiers[i]}", pm[m].ByTier[i], tm[m].ByTier[i]))
                    .Append(C($"{name}.{names[m]}.total", pm[m].Total, tm[m].Total)).ToArray())];
        }

        var kgs = published.ByKindergarten.Zip(truth.ByKindergarten, (p, t) => (p.Kindergarten, p.Group, Cells: Q($"kg[{p.Kindergarten},{p.Group}]", p.Counts, t.Counts))).ToList();
        var districts = published.ByDistrict.Zip(truth.ByDistrict, (p, t) => (p.District, p.Group, Cells: Q($"district[{p.District},{p.Group}]", p.Counts, t.Counts))).ToList();
        var groups = published.ByGroup.Zip(truth.ByGroup, (p, t) => (p.Group, Cells: Q($"group[{p.Group}]", p.Counts, t.Counts))).ToList();
        var region = published.Region is null ? null : Q("region", published.Region, truth.Region!);
        var months = published.Months.Zip(truth.Months, (p, t) => (
            Submitted: E($"month[{p.Month}].submitted", p.Submitted, t.Submitted),
            Offers: E($"month[{p.Month}].offers", p.Offers, t.Offers),
            Declined: E($"month[{p.Month}].declined", p.Declined, t.Declined),
            Expired: E($"month[{p.Month}].expired", p.Expired, t.Expired),
            Enrolments: E($"month[{p.Month}].enrolments", p.Enrolments, t.Enrolments),
            Withdrawals: E($"month[{p.Month}].withdrawals", p.Withdrawals, t.Withdrawals),
            Waiting: E($"month[{p.Month}].waitingAtEnd", p.WaitingAtEnd, t.WaitingAtEnd))).ToList();
        var years = published.EnrolmentYears.Zip(truth.EnrolmentYears, (p, t) => (p.Year,
            Algorithm: E($"year[{p.Year}].byAlgorithm", p.ByAlgorithm, t.ByAlgorithm),
            Exceptional: E($"year[{p.Year}].exceptional", p.Exceptional, t.Exceptional))).ToList();
        var allAlgorithm = E("allTime.byAlgorithm", published.EnrolmentsAllTime.ByAlgorithm, truth.EnrolmentsAllTime.ByAlgorithm);
        var allExceptional = E("allTime.exceptional", published.EnrolmentsAllTime.Exceptional, truth.EnrolmentsAllTime.Exceptional);
        var channels = published.Channels.Zip(truth.Channels, (p, t) => (
            Submitted: E($"channel[{p.Channel}].submitted", p.Submitted, t.Submitted),
            Backdated: E($"channel[{p.Channel}].backdated", p.Backdated, t.Backdated))).ToList();

        // Rows: total = sum of tiers.
        foreach (var row in kgs.Select(k => k.Cells).Concat(districts.Select(d => d.Cells)).Concat(groups.Select(g => g.Cells))
                     .Concat(region is null ? [] : [region]))
        {
            foreach (var m in row) Always("row", m[..tiers], [m[tiers]]);
        }
        for (var m = 0; m < 4; m++)
        {
            for (var x = 0; x <= tiers; x++)
            {
                foreach (var g in groups)
                {
                    // A group of the region = its districts (each application has one district).
                    Always($"districts->{g.Group}", [.. districts.Where(d => d.Group == g.Group).Select(d => d.Cells[m][x])], [g.Cells[m][x]]);
                    // = its kindergartens: by definition for offers and enrolments (one placement each),
                    // for waiting applications when each listed one kindergarten.
                    int[] byKg = [.. kgs.Where(k => k.Group == g.Group).Select(k => k.Cells[m][x])];
                    if (m >= 2) Always($"kindergartens->{g.Group}", byKg, [g.Cells[m][x]]);
                    else IfTrue($"kindergartens->{g.Group}", byKg, [g.Cells[m][x]]);
                }
                if (region is not null) Always("groups->region", [.. groups.Select(g => g.Cells[m][x])], [region[m][x]]);
            }
        }
        Always("years->allTime.byAlgorithm", [.. years.Select(y => y.Algorithm)], [allAlgorithm]);
        IfTrue("years->allTime.exceptional", [.. years.Select(y => y.Exceptional)], [allExceptional]);
        if (region is not null && published.Year is { } current)
        {
            var later = years.Where(y => y.Year >= current).ToList();
            IfTrue("years->region.enrolled", [.. later.Select(y => y.Algorithm), .. later.Select(y => y.Exceptional)], [region[3][tiers]]);
        }
        if (months.Count > 0)
        {
            IfTrue("months.enrolments->allTime", [.. months.Select(m => m.Enrolments)], [allAlgorithm, allExceptional]);
            IfTrue("months.submitted->channels", [.. months.Select(m => m.Submitted)], [.. channels.Select(c => c.Submitted)]);
            if (region is not null) IfTrue("lastMonth->region.waiting", [months[^1].Waiting], [region[0][tiers], region[1][tiers]]);
        }
        foreach (var c in channels) IfTrue("channel.backdated=submitted", [c.Backdated], [c.Submitted]);
        for (var i = 0; i < months.Count; i++)
        {
            var m = months[i];
            int[] before = i == 0 ? [m.Submitted] : [months[i - 1].Waiting, m.Submitted];
            IfTrue("stock-flow", [m.Waiting, m.Offers], before);
            IfTrue("stock-flow+withdrawals", [m.Waiting, m.Offers, m.Withdrawals], before);
        }
    }

    private void Always(string name, int[] plus, int[] minus)
    {
        Sum(plus, minus).Should().Be(0, $"'{name}' holds by definition");
        Add(name, plus, minus);
    }

    private void IfTrue(string name, int[] plus, int[] minus)
    {
        if (Sum(plus, minus) == 0) Add(name, plus, minus);
    }

    private long Sum(int[] plus, int[] minus) => plus.Sum(c => _cells[c].Truth) - minus.Sum(c => _cells[c].Truth);

    private void Add(string name, int[] plus, int[] minus) =>
        _relations.Add(new Relation(name, [.. plus.Select(c => (c, 1)), .. minus.Select(c => (c, -1))]));

    /// <summary>Every cell's interval after propagation to a fixpoint.</summary>
    public (long Lo, long Hi)[] Narrow()
    {
        var lo = new long[_cells.Count];
        var hi = new long[_cells.Count];
        for (var i = 0; i < _cells.Count; i++)
        {
            var p = _cells[i].Published;
            (lo[i], hi[i]) = p.Marker switch
            {
                CountMarker.None => (p.Value!.Value, p.Value.Value),
                CountMarker.LessThanFive => (1L, 4L),
                _ => (1L, Large),
            };
        }
        for (var pass = 0; ; pass++)
        {
            pass.Should().BeLessThan(10_000, "propagation should settle");
            var changed = false;
            foreach (var r in _relations)
            {
                foreach (var (cell, sign) in r.Terms)
                {
                    // sign·x = −Σ others  ⇒  bounds of x from the others' bounds.
                    long othersLo = 0, othersHi = 0;
                    foreach (var (c, s) in r.Terms)
                    {
                        if (c == cell) continue;
                        othersLo += s > 0 ? lo[c] : -hi[c];
                        othersHi += s > 0 ? hi[c] : -lo[c];
                    }
                    var (newLo, newHi) = sign > 0 ? (-othersHi, -othersLo) : (othersLo, othersHi);
                    if (newLo > lo[cell]) { lo[cell] = newLo; changed = true; }
                    if (newHi < hi[cell]) { hi[cell] = newHi; changed = true; }
                    lo[cell].Should().BeLessThanOrEqualTo(hi[cell], $"the bounds of {_cells[cell].Name} are sound");
                }
            }
            if (!changed) break;
        }
        return [.. lo.Zip(hi)];
    }

    /// <summary>Hidden cells the attacker pins to one value.</summary>
    public List<(Cell Cell, long Value)> Exposed()
    {
        var intervals = Narrow();
        var exposed = new List<(Cell, long)>();
        for (var i = 0; i < _cells.Count; i++)
        {
            var (lo, hi) = intervals[i];
            if (_cells[i].Published.IsSuppressed && lo == hi) exposed.Add((_cells[i], lo));
        }
        return exposed;
    }
}
