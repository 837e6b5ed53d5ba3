using System.Collections.Immutable;

namespace KinderQueue.Core.Public;

/// <summary>
/// Turns the true dashboard into the published one (SPEC.md §13.4): every count becomes a cell
/// (numbered in the document order of the JSON), every relation between published counts is
/// declared, <see cref="SmallCellSuppression"/> decides what to hide, and the shares are then
/// computed from the published counts only.
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

        private readonly (int Backdated, int Submitted)[] _channels;
        private readonly (int ByAlgorithm, int Exceptional) _allTime;
        private readonly (int ByAlgorithm, int Exceptional)[] _years;
        private readonly MonthCells[] _months;
        private readonly MeasureCells[][] _districts; // [row][measure]
        private readonly MeasureCells[][] _kindergartens;
        private readonly MeasureCells[]? _region;
        private readonly MeasureCells[][] _groups;

        private readonly record struct MonthCells(int Declined, int Enrolments, int Expired, int Offers, int Submitted, int WaitingAtEnd, int Withdrawals);

        /// <summary>Cells of one measure: by tier (indexed by rank) and the total.</summary>
        private readonly record struct MeasureCells(int[] ByTier, int Total);

        public Cells(Dashboard truth)
        {
            _truth = truth;
            _tierOrder = [.. Enumerable.Range(0, truth.Tiers.Length).OrderBy(i => truth.Tiers[i], StringComparer.Ordinal)];

            // Document order: anomalies.backdated, enrolments.allTime, enrolments.years, months,
            // queues.districts, queues.kindergartens, queues.region, queues.regionByGroup.
            _channels = [.. truth.Channels.Select(c => (Cell(c.Backdated, Detail), Cell(c.Submitted, Detail)))];
            _allTime = (Cell(truth.EnrolmentsAllTime.ByAlgorithm, RowTotal), Cell(truth.EnrolmentsAllTime.Exceptional, RowTotal));
            _years = [.. truth.EnrolmentYears.Select(y => (Cell(y.ByAlgorithm, Detail), Cell(y.Exceptional, Detail)))];
            _months = [.. truth.Months.Select(m => new MonthCells(Cell(m.Declined, Detail), Cell(m.Enrolments, Detail), Cell(m.Expired, Detail),
                Cell(m.Offers, Detail), Cell(m.Submitted, Detail), Cell(m.WaitingAtEnd, Detail), Cell(m.Withdrawals, Detail)))];
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

            // R8: enrolments by the algorithm are all in rows (every round's year has one);
            // R9: exceptional ones may name any year (declared when true).
            Problem.AddRelation([.. _years.Select(y => y.ByAlgorithm)], [_allTime.ByAlgorithm]);
            Problem.AddRelationIfHolds([.. _years.Select(y => y.Exceptional)], [_allTime.Exceptional]);
            if (_region is not null && _truth.Year is { } current)
            {
                // R10: enrolments of the current and later years in the queue tables (when no placement lost its group).
                var rows = _truth.EnrolmentYears.Select((y, i) => (y.Year, i)).Where(x => x.Year >= current).Select(x => x.i).ToList();
                Problem.AddRelationIfHolds([.. rows.Select(i => _years[i].ByAlgorithm), .. rows.Select(i => _years[i].Exceptional)],
                    [_region[DashboardBuilder.Enrolled].Total]);
            }
            if (_months.Length > 0)
            {
                // R11, R12: the months (the current one included) add up to the all-time figures.
                Problem.AddRelationIfHolds([.. _months.Select(m => m.Enrolments)], [_allTime.ByAlgorithm, _allTime.Exceptional]);
                Problem.AddRelationIfHolds([.. _months.Select(m => m.Submitted)], [.. _channels.Select(c => c.Submitted)]);
            }
            // R13: a channel whose submissions were all backdated (typically the federal portal).
            foreach (var c in _channels) Problem.AddRelationIfHolds([c.Backdated], [c.Submitted]);
            // R14: waiting at a month's end from the month before and the published flows, when no other flow moved.
            for (var i = 0; i < _months.Length; i++)
            {
                var m = _months[i];
                List<int> before = i == 0 ? [m.Submitted] : [_months[i - 1].WaitingAtEnd, m.Submitted];
                Problem.AddRelationIfHolds([m.WaitingAtEnd, m.Offers], before);
                Problem.AddRelationIfHolds([m.WaitingAtEnd, m.Offers, m.Withdrawals], before);
            }
            // R15: the last month's end equals today's waiting total when nothing changed since.
            if (_region is not null && _months.Length > 0)
            {
                Problem.AddRelationIfHolds([_region[DashboardBuilder.WaitingNow].Total, _region[DashboardBuilder.WaitingLater].Total],
                    [_months[^1].WaitingAtEnd]);
            }
        }

        public Dashboard Publish(CountMarker[] markers)
        {
            Count P(int cell) => markers[cell] == CountMarker.None ? Count.Exact(Problem.Value(cell)) : new Count(null, markers[cell]);
            TierCounts T(MeasureCells m) => new([.. Enumerable.Range(0, m.ByTier.Length).Select(rank => P(m.ByTier[rank]))], P(m.Total));
            QueueCounts Q(MeasureCells[] m) =>
                new(T(m[DashboardBuilder.WaitingNow]), T(m[DashboardBuilder.WaitingLater]), T(m[DashboardBuilder.Offered]), T(m[DashboardBuilder.Enrolled]));

            var t = _truth;
            var allAlgorithm = P(_allTime.ByAlgorithm);
            var allExceptional = P(_allTime.Exceptional);
            return t with
            {
                ByKindergarten = [.. t.ByKindergarten.Select((r, i) => r with { Counts = Q(_kindergartens[i]) })],
                ByDistrict = [.. t.ByDistrict.Select((r, i) => r with { Counts = Q(_districts[i]) })],
                ByGroup = [.. t.ByGroup.Select((r, i) => r with { Counts = Q(_groups[i]) })],
                Region = _region is null ? null : Q(_region),
                Months = [.. t.Months.Select((r, i) =>
                {
                    var c = _months[i];
                    return r with
                    {
                        Submitted = P(c.Submitted), Offers = P(c.Offers), Declined = P(c.Declined), Expired = P(c.Expired),
                        Enrolments = P(c.Enrolments), Withdrawals = P(c.Withdrawals), WaitingAtEnd = P(c.WaitingAtEnd),
                    };
                })],
                EnrolmentYears = [.. t.EnrolmentYears.Select((r, i) =>
                {
                    var (alg, exc) = (P(_years[i].ByAlgorithm), P(_years[i].Exceptional));
                    return r with { ByAlgorithm = alg, Exceptional = exc, Share = Shares.Of(alg, exc) };
                })],
                // The legal bases would tell how many exceptional enrolments there were at least: listed only with a published count.
                EnrolmentsAllTime = new EnrolmentTotals(allAlgorithm, allExceptional, Shares.Of(allAlgorithm, allExceptional),
                    allExceptional.IsSuppressed ? null : t.EnrolmentsAllTime.LegalBases),
                Channels = [.. t.Channels.Select((r, i) => r with { Backdated = P(_channels[i].Backdated), Submitted = P(_channels[i].Submitted) })],
            };
        }
    }
}
