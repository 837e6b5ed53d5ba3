using System.Collections.Immutable;

namespace KinderQueue.Core.Public;

/// <summary>
/// Turns the true dashboard into the published one (SPEC.md §13.4): every count of the queue tables
/// becomes a cell (numbered in the document order of the JSON), the exact figures that the
/// relations tie to them become exact cells, every relation is declared, and
/// <see cref="SmallCellSuppression"/> decides what to hide. Enrolments, months and channels are
/// published exactly: they count entries the log publishes one by one, by nothing about a child.
/// </summary>
internal static class DashboardSuppression
{
    // How aggregated a cell is: the repair hides less aggregated cells first (SPEC.md §13.4).
    private const int Detail = 0, RowTotal = 1, GroupDetail = 2, GroupTotal = 3, RegionTotal = 4;

    internal sealed record Outcome(Dashboard Published, SmallCellSuppression Problem, SmallCellSuppression.SuppressionResult Result);

    public static Outcome Apply(Dashboard truth, bool secondary)
    {
        var cells = new Cells(truth);
        var result = cells.Problem.Solve(secondary);
        return new Outcome(cells.Publish(result.Markers), cells.Problem, result);
    }

    /// <summary>The cells of a dashboard and their relations; <see cref="Publish"/> applies markers.</summary>
    private sealed class Cells
    {
        private readonly Dashboard _truth;
        private readonly int[] _tierOrder; // tier ranks in document order (ids ascending)
        public SmallCellSuppression Problem { get; } = new();

        private readonly MeasureCells[][] _districts; // [row][measure]
        private readonly MeasureCells[][] _kindergartens;
        private readonly MeasureCells[]? _region;
        private readonly MeasureCells[][] _groups;

        /// <summary>Cells of one measure: by tier (indexed by rank) and the total.</summary>
        private readonly record struct MeasureCells(int[] ByTier, int Total);

        public Cells(Dashboard truth)
        {
            _truth = truth;
            _tierOrder = [.. Enumerable.Range(0, truth.Tiers.Length).OrderBy(i => truth.Tiers[i], StringComparer.Ordinal)];

            // Document order: queues.districts, queues.kindergartens, queues.region, queues.regionByGroup.
            _districts = [.. truth.ByDistrict.Select(r => Measures(r.Counts, Detail, RowTotal))];
            _kindergartens = [.. truth.ByKindergarten.Select(r => Measures(r.Counts, Detail, RowTotal))];
            _region = truth.Region is null ? null : Measures(truth.Region, GroupTotal, RegionTotal);
            _groups = [.. truth.ByGroup.Select(r => Measures(r.Counts, GroupDetail, GroupTotal))];

            DeclareRelations();
        }

        private int Cell(Count c, int weight) => Problem.AddCell(c.Value!.Value, weight);

        private MeasureCells[] Measures(QueueCounts q, int detail, int total)
        {
            // enrolled, offered, waitingLater, waitingNow; within each, byTier (ids ascending) then total.
            var measures = new MeasureCells[DashboardBuilder.MeasureCount];
            foreach (var (m, counts) in new[] { (DashboardBuilder.Enrolled, q.Enrolled), (DashboardBuilder.Offered, q.Offered),
                         (DashboardBuilder.WaitingLater, q.WaitingLater), (DashboardBuilder.WaitingNow, q.WaitingNow) })
            {
                var byTier = new int[_tierOrder.Length];
                foreach (var rank in _tierOrder) byTier[rank] = Cell(counts.ByTier[rank], detail);
                measures[m] = new MeasureCells(byTier, Cell(counts.Total, total));
            }
            return measures;
        }

        /// <summary>The relations of SPEC.md §13.4, in the order listed there.</summary>
        private void DeclareRelations()
        {
            var tierCount = _tierOrder.Length;
            var groupCount = _truth.Groups.Length;
            // R1–R3: every row's total is the sum of its tiers.
            foreach (var row in _kindergartens.Concat(_districts).Concat(_groups).Concat(_region is null ? [] : [_region]))
            {
                foreach (var m in row) Problem.AddRelation(m.ByTier, [m.Total]);
            }
            if (_region is not null)
            {
                for (var m = 0; m < DashboardBuilder.MeasureCount; m++)
                {
                    for (var t = 0; t <= tierCount; t++)
                    {
                        int Of(MeasureCells c) => t < tierCount ? c.ByTier[t] : c.Total;
                        for (var g = 0; g < groupCount; g++)
                        {
                            // R4: a group of the region is the sum of the districts (each application has one district).
                            Problem.AddRelation([.. Enumerable.Range(0, _truth.Districts.Length).Select(d => Of(_districts[d * groupCount + g][m]))],
                                [Of(_groups[g][m])]);
                            // R6: offers and enrolments count each application once, at one kindergarten;
                            // R7: waiting applications appear once per kindergarten they list, so the sum over
                            // kindergartens equals the group only when each listed one kindergarten (declared when true).
                            int[] kgs = [.. Enumerable.Range(0, _truth.Kindergartens.Length).Select(k => Of(_kindergartens[k * groupCount + g][m]))];
                            if (m is DashboardBuilder.Offered or DashboardBuilder.Enrolled) Problem.AddRelation(kgs, [Of(_groups[g][m])]);
                            else Problem.AddRelationIfHolds(kgs, [Of(_groups[g][m])]);
                        }
                        // R5: the region is the sum of its groups.
                        Problem.AddRelation([.. _groups.Select(g => Of(g[m]))], [Of(_region[m])]);
                    }
                }
            }

            // The exact figures a reader sets against the tables, as exact cells after the table cells.
            if (_region is not null && _truth.Year is { } current)
            {
                // R8: enrolments of the current and later years in the queue tables (when no placement lost its group).
                var enrolled = _truth.EnrolmentYears.Where(y => y.Year >= current).Sum(y => y.ByAlgorithm + y.Exceptional);
                Problem.AddRelationIfHolds([Problem.AddExactCell(enrolled)], [_region[DashboardBuilder.Enrolled].Total]);
            }
            if (_region is not null && _truth.Months.Length > 0)
            {
                // R9: the last month's end equals today's waiting total when nothing changed since.
                Problem.AddRelationIfHolds([_region[DashboardBuilder.WaitingNow].Total, _region[DashboardBuilder.WaitingLater].Total],
                    [Problem.AddExactCell(_truth.Months[^1].WaitingAtEnd)]);
            }
        }

        public Dashboard Publish(CountMarker[] markers)
        {
            Count P(int cell) => markers[cell] == CountMarker.None ? Count.Exact(Problem.Value(cell)) : new Count(null, markers[cell]);
            TierCounts T(MeasureCells m) => new([.. Enumerable.Range(0, m.ByTier.Length).Select(rank => P(m.ByTier[rank]))], P(m.Total));
            QueueCounts Q(MeasureCells[] m) =>
                new(T(m[DashboardBuilder.WaitingNow]), T(m[DashboardBuilder.WaitingLater]), T(m[DashboardBuilder.Offered]), T(m[DashboardBuilder.Enrolled]));

            var t = _truth;
            return t with
            {
                ByKindergarten = [.. t.ByKindergarten.Select((r, i) => r with { Counts = Q(_kindergartens[i]) })],
                ByDistrict = [.. t.ByDistrict.Select((r, i) => r with { Counts = Q(_districts[i]) })],
                ByGroup = [.. t.ByGroup.Select((r, i) => r with { Counts = Q(_groups[i]) })],
                Region = _region is null ? null : Q(_region),
            };
        }
    }
}
