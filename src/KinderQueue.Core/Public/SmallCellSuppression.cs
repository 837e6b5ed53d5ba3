namespace KinderQueue.Core.Public;

/// <summary>
/// Small-cell suppression over a set of counts ("cells") tied by linear relations
/// (SPEC.md §13.4). Cells published exactly elsewhere, and cells that they and the zeros determine
/// through the relations, are published: hiding them would protect nothing. Every other count of
/// 1..4 is hidden as "&lt;5" (primary); zeros are always published.
/// Then an audit does what an attacker would do: it gives each hidden cell the interval its marker
/// allows ("&lt;5": 1..4, "hidden": 1 or more), tightens the intervals through every relation until
/// nothing changes, and while some hidden cell's interval is a single value it hides one more
/// published count, or withdraws the "&lt;5" label of a small one, along what pins that cell
/// (secondary), until no hidden cell is determined.
/// </summary>
/// <remarks>
/// Deterministic: cells are numbered in the order they were added (the document order of the
/// published JSON), relations are ordered by <see cref="RelationOrder"/>, and every choice is the
/// first in a stated order. The interval fixpoint does not depend on the order in which relations are
/// evaluated (bounds propagation with monotone, contracting rules has one greatest fixpoint), so the
/// outcome is a function of the cells, the relations and these orders alone; the solver computes that
/// fixpoint incrementally (SmallCellSuppression.Solver.cs), which changes its cost, not its result.
/// </remarks>
internal sealed partial class SmallCellSuppression
{
    /// <summary>Stands for "no upper bound" in an interval.</summary>
    internal const long Unbounded = long.MaxValue;

    /// <summary>At most this many candidates of each kind per relation are tried (SPEC.md §13.4 step 3).</summary>
    internal const int TrialsPerRelation = 8;

    /// <summary>Levels of pinning relations searched for a cell that frees an exposed one before the fallback (SPEC.md §13.4 step 3).</summary>
    internal const int SearchDepth = 3;

    private readonly List<long> _values = [];
    private readonly List<int> _weights = [];
    private readonly List<bool> _exact = [];
    private readonly List<(int[] Cells, int[] Signs)> _relations = [];
    private readonly HashSet<string> _relationKeys = new(StringComparer.Ordinal);

    public int CellCount => _values.Count;

    public int RelationCount => _relations.Count;

    /// <summary>Adds a count; <paramref name="weight"/> says how aggregated it is (lower is hidden first).</summary>
    public int AddCell(long value, int weight) => Add(value, weight, exact: false);

    /// <summary>
    /// Adds a figure that is published exactly elsewhere (an enrolment total, a month's waiting
    /// count): never hidden and never a candidate, but it takes part in the relations, because a
    /// reader knows it.
    /// </summary>
    public int AddExactCell(long value) => Add(value, weight: 0, exact: true);

    private int Add(long value, int weight, bool exact)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        _values.Add(value);
        _weights.Add(weight);
        _exact.Add(exact);
        return _values.Count - 1;
    }

    public long Value(int cell) => _values[cell];

    /// <summary>
    /// Declares Σ plus − Σ minus = 0, a relation that holds by the definitions of the figures.
    /// It must hold on the data: if it does not, the figures are wrong, which is a bug.
    /// </summary>
    public void AddRelation(IReadOnlyList<int> plus, IReadOnlyList<int> minus)
    {
        if (!Holds(plus, minus))
            throw new InvalidOperationException($"A defining relation of the dashboard does not hold (cells {string.Join(",", plus)} / {string.Join(",", minus)}).");
        Add(plus, minus);
    }

    /// <summary>
    /// Declares Σ plus − Σ minus = 0 if it holds on the data: a relation that is not true by
    /// definition but that a reader could know or guess from context (SPEC.md §13.4).
    /// Returns whether it was declared.
    /// </summary>
    public bool AddRelationIfHolds(IReadOnlyList<int> plus, IReadOnlyList<int> minus)
    {
        if (!Holds(plus, minus)) return false;
        Add(plus, minus);
        return true;
    }

    private bool Holds(IReadOnlyList<int> plus, IReadOnlyList<int> minus)
    {
        long sum = 0;
        foreach (var c in plus) sum += _values[c];
        foreach (var c in minus) sum -= _values[c];
        return sum == 0;
    }

    private void Add(IReadOnlyList<int> plus, IReadOnlyList<int> minus)
    {
        var terms = plus.Select(c => (Cell: c, Sign: 1)).Concat(minus.Select(c => (Cell: c, Sign: -1)))
            .OrderBy(t => t.Cell).ThenBy(t => t.Sign).ToArray();
        // A relation of one cell only says that the cell is 0, and zeros are published anyway.
        if (terms.Length < 2) return;
        for (var i = 1; i < terms.Length; i++)
        {
            if (terms[i].Cell == terms[i - 1].Cell) throw new ArgumentException("A cell appears twice in one relation.");
        }
        // One orientation (the first cell positive), so a relation and its negation are the same one
        // and the order of relations does not depend on how they were written.
        var flip = terms[0].Sign;
        var signs = terms.Select(t => t.Sign * flip).ToArray();
        var key = string.Join(",", terms.Select((t, i) => $"{t.Cell}{(signs[i] > 0 ? '+' : '-')}"));
        if (!_relationKeys.Add(key)) return;
        _relations.Add((terms.Select(t => t.Cell).ToArray(), signs));
    }


    /// <summary>
    /// Relations in the order the repair looks at them: fewer cells first (a row before the column
    /// it belongs to), then by their cells' numbers compared lexicographically, then by signs.
    /// </summary>
    internal static int RelationOrder((int[] Cells, int[] Signs) x, (int[] Cells, int[] Signs) y)
    {
        var c = x.Cells.Length.CompareTo(y.Cells.Length);
        if (c != 0) return c;
        for (var i = 0; i < x.Cells.Length; i++)
        {
            c = x.Cells[i].CompareTo(y.Cells[i]);
            if (c != 0) return c;
        }
        for (var i = 0; i < x.Signs.Length; i++)
        {
            c = x.Signs[i].CompareTo(y.Signs[i]);
            if (c != 0) return c;
        }
        return 0;
    }


}
