using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KinderQueue.Core.Public;

namespace KinderQueue.Core.Tests.Public;

/// <summary>The suppression engine on its own (SPEC.md §13.4): small tables written out by hand, and random two-way tables.</summary>
public sealed class SmallCellSuppressionTests
{
    private const CountMarker Shown = CountMarker.None;
    private const CountMarker Small = CountMarker.LessThanFive;
    private const CountMarker Hidden = CountMarker.Hidden;

    /// <summary>A row of parts and its total: total = Σ parts.</summary>
    private static (SmallCellSuppression Problem, int[] Parts, int Total) Row(params long[] parts)
    {
        var p = new SmallCellSuppression();
        var cells = parts.Select(v => p.AddCell(v, 0)).ToArray();
        var total = p.AddCell(parts.Sum(), 1);
        p.AddRelation(cells, [total]);
        return (p, cells, total);
    }

    /// <summary>Hidden cells whose interval the relations pin to one value.</summary>
    private static int[] Pinned(SmallCellSuppression p, CountMarker[] markers)
    {
        var intervals = p.Intervals(markers);
        return [.. Enumerable.Range(0, markers.Length).Where(i => markers[i] != Shown && intervals[i].Lo == intervals[i].Hi)];
    }

    [Fact]
    public void Primary_HidesEveryCountFromOneToFour_AndPublishesZeros()
    {
        var p = new SmallCellSuppression();
        foreach (var v in new long[] { 0, 1, 4, 5, 120 }) p.AddCell(v, 0);

        p.Solve().Markers.Should().Equal(Shown, Small, Small, Shown, Shown);
    }

    [Fact]
    public void TwoSmallCellsSummingToTwo_AreBothOne_UnlessMoreIsHidden()
    {
        // 12 = 10 + 1 + 1: the hidden cells sum to 12 − 10 = 2, and each is at least 1.
        var (p, parts, total) = Row(10, 1, 1);

        var naive = p.Solve(secondary: false).Markers;
        naive.Should().Equal(Shown, Small, Small, Shown);
        Pinned(p, naive).Should().Equal(parts[1], parts[2]);

        var full = p.Solve().Markers;
        Pinned(p, full).Should().BeEmpty();
        // The 10 is hidden (the least aggregated published cell); the total stays.
        full.Should().Equal(Hidden, Small, Small, Shown);
        p.Intervals(full)[parts[1]].Should().Be((1L, 4L));
        p.Intervals(full)[total].Should().Be((12L, 12L));
    }

    [Fact]
    public void SmallCellsAtTheirMaximum_ArePinned_UnlessMoreIsHidden()
    {
        // 30 = 22 + 4 + 4: the hidden cells sum to 8, so both are 4.
        var (p, parts, _) = Row(22, 4, 4);
        Pinned(p, p.Solve(secondary: false).Markers).Should().Equal(parts[1], parts[2]);
        var full = p.Solve().Markers;
        Pinned(p, full).Should().BeEmpty();
        full.Should().Equal(Hidden, Small, Small, Shown);
    }

    [Fact]
    public void OneSmallCell_UnderAPublishedTotal_IsTheDifference_UnlessAnotherIsHidden()
    {
        var (p, parts, _) = Row(0, 6, 3, 0);
        Pinned(p, p.Solve(secondary: false).Markers).Should().Equal(parts[2]);

        var full = p.Solve().Markers;
        Pinned(p, full).Should().BeEmpty();
        // Zeros are never hidden: nobody is singled out by "none".
        full.Should().Equal(Shown, Hidden, Small, Shown, Shown);
    }

    [Fact]
    public void SmallCellsOfAColumn_ThatAddUpToTheirNumber_AreAllOne_UnlessTheTotalIsHidden()
    {
        // A tier that twelve kindergartens each have exactly once, under a published region total of 12.
        var (p, parts, total) = Row([.. Enumerable.Repeat(1L, 12)]);
        Pinned(p, p.Solve(secondary: false).Markers).Should().HaveCount(12);

        var full = p.Solve().Markers;
        Pinned(p, full).Should().BeEmpty();
        full[total].Should().Be(Hidden);
        parts.Should().OnlyContain(c => full[c] == Small);
    }

    [Fact]
    public void FourOnesUnderASmallTotal_ArePinnedByTheMarkersAlone_AndALabelIsWithdrawn()
    {
        // 4 = 1 + 1 + 1 + 1 + 0: every hidden cell is at least 1, the total at most 4, so all are 1.
        var (p, parts, total) = Row(1, 1, 1, 1, 0);
        Pinned(p, p.Solve(secondary: false).Markers).Should().BeEquivalentTo([.. parts[..4], total]);

        // Nothing published is left to hide here: the repair withdraws a "<5" label instead.
        var full = p.Solve().Markers;
        Pinned(p, full).Should().BeEmpty();
        // Withdrawing a 1's label does not help (the total is at most 4); withdrawing the total's does.
        full.Should().Equal(Small, Small, Small, Small, Shown, Hidden);
        full[total].Should().Be(Hidden);
    }

    [Fact]
    public void ACellAndItsCopy_ArePinnedTogether_AndFreedTogether()
    {
        // 9 = a + b, and c = b + 0 (a copy of b elsewhere in the tables): pinning b pins c.
        var p = new SmallCellSuppression();
        var a = p.AddCell(7, 0);
        var b = p.AddCell(2, 0);
        var rowTotal = p.AddCell(9, 1);
        var zero = p.AddCell(0, 0);
        var c = p.AddCell(2, 2);
        p.AddRelation([a, b], [rowTotal]);
        p.AddRelation([b, zero], [c]);

        Pinned(p, p.Solve(secondary: false).Markers).Should().Equal(b, c);
        var full = p.Solve().Markers;
        Pinned(p, full).Should().BeEmpty();
        full[a].Should().Be(Hidden);
        full[rowTotal].Should().Be(Shown);
    }

    [Fact]
    public void Relations_ThatDoNotHold_AreRefusedOrLeftOut()
    {
        var p = new SmallCellSuppression();
        var x = p.AddCell(3, 0);
        var y = p.AddCell(4, 0);
        var add = () => p.AddRelation([x], [y]);
        add.Should().Throw<InvalidOperationException>("a defining relation that does not hold means the figures are wrong");
        p.AddRelationIfHolds([x], [y]).Should().BeFalse();
        p.RelationCount.Should().Be(0);

        // The same relation declared again, or negated, is one relation; a relation of one cell says nothing.
        var z = p.AddCell(7, 0);
        p.AddRelation([x, y], [z]);
        p.AddRelation([z], [x, y]);
        p.AddRelationIfHolds([p.AddCell(0, 0)], []);
        p.RelationCount.Should().Be(1);
    }

    // ----------------------------------------------------------------- random two-way tables

    /// <summary>A table of counts (mostly small), its row totals, column totals and grand total.</summary>
    public sealed record Table(long[][] Cells)
    {
        public override string ToString() => string.Join(" / ", Cells.Select(r => string.Join(",", r)));
    }

    private static Gen<Table> Tables =>
        from rows in Gen.Choose(1, 5)
        from cols in Gen.Choose(1, 5)
        from values in Gen.ArrayOf(Gen.Frequency((4, Gen.Constant(0)), (5, Gen.Choose(1, 4)), (2, Gen.Choose(5, 12))), rows * cols)
        select new Table([.. Enumerable.Range(0, rows).Select(r => values.Skip(r * cols).Take(cols).Select(v => (long)v).ToArray())]);

    /// <summary>Declares the table's cells and its row, column and grand-total relations in the given order of relations.</summary>
    private static SmallCellSuppression Declare(Table t, bool reversed)
    {
        var p = new SmallCellSuppression();
        var rows = t.Cells.Length;
        var cols = t.Cells[0].Length;
        var cell = t.Cells.Select(r => r.Select(v => p.AddCell(v, 0)).ToArray()).ToArray();
        var rowTotal = t.Cells.Select(r => p.AddCell(r.Sum(), 1)).ToArray();
        var colTotal = Enumerable.Range(0, cols).Select(c => p.AddCell(t.Cells.Sum(r => r[c]), 1)).ToArray();
        var grand = p.AddCell(t.Cells.Sum(r => r.Sum()), 2);
        var relations = new List<(int[] Plus, int[] Minus)>();
        for (var r = 0; r < rows; r++) relations.Add((cell[r], [rowTotal[r]]));
        for (var c = 0; c < cols; c++) relations.Add(([.. Enumerable.Range(0, rows).Select(r => cell[r][c])], [colTotal[c]]));
        relations.Add((rowTotal, [grand]));
        relations.Add((colTotal, [grand]));
        if (reversed) relations.Reverse();
        foreach (var (plus, minus) in relations)
        {
            if (reversed) p.AddRelation(minus, plus); // the same relation written the other way round
            else p.AddRelation(plus, minus);
        }
        return p;
    }

    /// <summary>The generator of the property below (FsCheck.Xunit finds an arbitrary by the parameter's type).</summary>
    internal static class TableArbitrary
    {
        public static Arbitrary<Table> Tables() => SmallCellSuppressionTests.Tables.ToArbitrary();
    }

    [Property(MaxTest = 300, Arbitrary = new[] { typeof(TableArbitrary) })]
    public void RandomTables_NoHiddenCellIsPinned_ByAnIndependentAttacker_AndOrderDoesNotMatter(Table t)
    {
        var p = Declare(t, reversed: false);
        var markers = p.Solve().Markers;
        Declare(t, reversed: true).Solve().Markers.Should().Equal(markers, "the result depends on the cells and relations, not on the order they were declared in");
        var values = Enumerable.Range(0, p.CellCount).Select(p.Value).ToArray();
        markers.Where((m, i) => m != Shown && values[i] == 0).Should().BeEmpty("zeros are published");
        markers.Where((m, i) => m == Shown && values[i] is >= 1 and <= 4).Should().BeEmpty("no count of 1..4 is published");

        // An attacker with the table's relations, written out again here.
        var rows = t.Cells.Length;
        var cols = t.Cells[0].Length;
        int Cell(int r, int c) => r * cols + c;
        int RowTotal(int r) => rows * cols + r;
        int ColTotal(int c) => rows * cols + rows + c;
        var grand = rows * cols + rows + cols;
        var sums = new List<(int[] Parts, int Total)>();
        for (var r = 0; r < rows; r++) sums.Add(([.. Enumerable.Range(0, cols).Select(c => Cell(r, c))], RowTotal(r)));
        for (var c = 0; c < cols; c++) sums.Add(([.. Enumerable.Range(0, rows).Select(r => Cell(r, c))], ColTotal(c)));
        sums.Add(([.. Enumerable.Range(0, rows).Select(RowTotal)], grand));
        sums.Add(([.. Enumerable.Range(0, cols).Select(ColTotal)], grand));
        var lo = markers.Select((m, i) => m == Shown ? values[i] : 1).ToArray();
        var hi = markers.Select((m, i) => m == Shown ? values[i] : m == Small ? 4 : 1_000_000).ToArray();
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (parts, total) in sums)
            {
                // total ∈ [Σ lo, Σ hi]; part ∈ [lo(total) − Σ hi(others), hi(total) − Σ lo(others)].
                long sumLo = parts.Sum(x => lo[x]), sumHi = parts.Sum(x => hi[x]);
                changed |= Narrow(total, sumLo, sumHi);
                foreach (var x in parts) changed |= Narrow(x, lo[total] - (sumHi - hi[x]), hi[total] - (sumLo - lo[x]));
            }
        }
        bool Narrow(int x, long newLo, long newHi)
        {
            var before = (lo[x], hi[x]);
            lo[x] = Math.Max(lo[x], newLo);
            hi[x] = Math.Min(hi[x], newHi);
            lo[x].Should().BeLessThanOrEqualTo(values[x]);
            hi[x].Should().BeGreaterThanOrEqualTo(values[x]);
            return before != (lo[x], hi[x]);
        }
        Enumerable.Range(0, markers.Length).Where(i => markers[i] != Shown && lo[i] == hi[i]).Should().BeEmpty($"table {t}");
    }
}
