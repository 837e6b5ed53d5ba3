namespace KinderQueue.Core.Public;

/// <summary>
/// Small-cell suppression over a set of counts ("cells") tied by linear relations
/// (SPEC.md §11.4). Every count in 1..4 is hidden ("primary"); then an audit does what an attacker
/// would do: it gives each hidden cell the interval its marker allows (&lt;5: 0..4, &gt;=5: 5 or
/// more, hidden: 0 or more), tightens the intervals through every relation until nothing changes,
/// and whenever a hidden cell's interval has shrunk to a single value it hides one more published
/// cell next to it ("secondary"), until no hidden cell is determined.
/// </summary>
/// <remarks>
/// Deterministic: cells are numbered in the order they were added (the document order of the
/// published JSON), relations are ordered by <see cref="RelationOrder"/>, and every choice is the
/// first in a stated order. The interval fixpoint does not depend on the order in which relations are
/// evaluated (bounds propagation with monotone, contracting rules has one greatest fixpoint), so the
/// outcome is a function of the cells, the relations and these orders alone.
/// </remarks>
internal sealed class SmallCellSuppression
{
    /// <summary>Stands for "no upper bound" in an interval.</summary>
    internal const long Unbounded = long.MaxValue;

    /// <summary>At most this many candidates of one relation are tried before the fallback choice (§11.4 step 4).</summary>
    internal const int TrialsPerRelation = 16;

    private readonly List<long> _values = [];
    private readonly List<int> _weights = [];
    private readonly List<(int[] Cells, int[] Signs)> _relations = [];
    private readonly HashSet<string> _relationKeys = new(StringComparer.Ordinal);

    public int CellCount => _values.Count;

    public int RelationCount => _relations.Count;

    /// <summary>Adds a count; <paramref name="weight"/> says how aggregated it is (lower is hidden first).</summary>
    public int AddCell(long value, int weight)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        _values.Add(value);
        _weights.Add(weight);
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
    /// definition but that a reader could know or guess from context (SPEC.md §11.4).
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
        // The same relation declared twice (or its negation) adds nothing.
        var positive = terms[0].Sign;
        var key = string.Join(",", terms.Select(t => $"{t.Cell}{(t.Sign == positive ? '+' : '-')}"));
        if (!_relationKeys.Add(key)) return;
        _relations.Add((terms.Select(t => t.Cell).ToArray(), terms.Select(t => t.Sign).ToArray()));
    }

    /// <summary>Runs primary suppression and, unless <paramref name="secondary"/> is false, the audit and repair.</summary>
    public SuppressionResult Solve(bool secondary = true) => new Solver(this).Run(secondary);

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

    /// <summary>The audit's intervals of every cell for the given markers: what an attacker can derive (used by tests and by the solver).</summary>
    internal (long Lo, long Hi)[] Intervals(IReadOnlyList<CountMarker> markers)
    {
        var solver = new Solver(this);
        return solver.IntervalsFor(markers);
    }

    internal sealed record SuppressionResult(CountMarker[] Markers, int Primary, int Secondary, int Withheld, int Trials);

    private sealed class Solver
    {
        private readonly long[] _value;
        private readonly int[] _weight;
        private readonly int[][] _cells;      // per relation (in RelationOrder), its cells ascending
        private readonly int[][] _signs;
        private readonly int[][] _relationsOf; // per cell, the relations that contain it, ascending
        private readonly CountMarker[] _marker;
        private readonly long[] _lo;
        private readonly long[] _hi;
        private readonly int[] _cellStamp;
        private readonly int[] _relationStamp;
        private readonly int[] _inQueue;
        private int _stamp;
        private int _queueStamp;
        private readonly SortedSet<int> _pinned = [];
        private int _trials;

        public Solver(SmallCellSuppression problem)
        {
            _value = [.. problem._values];
            _weight = [.. problem._weights];
            var ordered = problem._relations.ToArray();
            Array.Sort(ordered, RelationOrder);
            _cells = ordered.Select(r => r.Cells).ToArray();
            _signs = ordered.Select(r => r.Signs).ToArray();
            var n = _value.Length;
            var counts = new int[n];
            foreach (var cells in _cells)
            {
                foreach (var c in cells) counts[c]++;
            }
            _relationsOf = new int[n][];
            for (var i = 0; i < n; i++) _relationsOf[i] = new int[counts[i]];
            Array.Clear(counts);
            for (var r = 0; r < _cells.Length; r++)
            {
                foreach (var c in _cells[r]) _relationsOf[c][counts[c]++] = r;
            }
            _marker = new CountMarker[n];
            _lo = new long[n];
            _hi = new long[n];
            _cellStamp = new int[n];
            _relationStamp = new int[_cells.Length];
            _inQueue = new int[_cells.Length];
        }

        private bool IsHidden(int cell) => _marker[cell] != CountMarker.None;

        public SuppressionResult Run(bool secondary)
        {
            var primary = 0;
            for (var i = 0; i < _value.Length; i++)
            {
                // Primary suppression: a count of 1..4 is never published (SPEC.md §11.4 step 1).
                if (_value[i] is >= 1 and < Dashboard.Threshold)
                {
                    _marker[i] = CountMarker.LessThanFive;
                    primary++;
                }
            }
            AuditAll();
            if (secondary)
            {
                while (_pinned.Count > 0) Repair(_pinned.Min);
            }
            var hidden = _marker.Count(m => m != CountMarker.None);
            var withheld = _marker.Count(m => m == CountMarker.Hidden);
            return new SuppressionResult(_marker, primary, hidden - primary, withheld, _trials);
        }

        public (long Lo, long Hi)[] IntervalsFor(IReadOnlyList<CountMarker> markers)
        {
            for (var i = 0; i < _marker.Length; i++) _marker[i] = markers[i];
            AuditAll();
            return [.. _lo.Zip(_hi)];
        }

        /// <summary>Intervals of every hidden cell, component by component; records the determined ones.</summary>
        private void AuditAll()
        {
            _pinned.Clear();
            for (var i = 0; i < _value.Length; i++)
            {
                if (!IsHidden(i))
                {
                    _lo[i] = _hi[i] = _value[i];
                }
            }
            var done = new bool[_value.Length];
            for (var i = 0; i < _value.Length; i++)
            {
                if (!IsHidden(i) || done[i]) continue;
                var (cells, relations, _, _) = Component(i, withDistances: false);
                foreach (var c in cells) done[c] = true;
                Propagate(cells, relations);
                UpdatePinned(cells);
            }
        }

        /// <summary>
        /// A hidden cell is exposed when its interval is one value other than 0. A hidden zero that can
        /// be shown to be 0 reveals that nobody is counted there, which is published for every other zero.
        /// </summary>
        private bool IsExposed(int cell) => _lo[cell] == _hi[cell] && _lo[cell] > 0;

        private void UpdatePinned(List<int> cells)
        {
            foreach (var c in cells)
            {
                if (IsExposed(c)) _pinned.Add(c);
                else _pinned.Remove(c);
            }
        }

        /// <summary>
        /// The hidden cells linked to <paramref name="start"/> through relations (two hidden cells are
        /// linked when a relation contains both), the relations that contain any of them, and the
        /// breadth-first distance of each from the start (a relation's distance is its nearest cell's).
        /// </summary>
        private (List<int> Cells, List<int> Relations, List<int> CellDistance, List<int> RelationDistance) Component(int start, bool withDistances)
        {
            _stamp++;
            var cells = new List<int> { start };
            var relations = new List<int>();
            var cellDistance = new List<int>();
            var relationDistance = new List<int>();
            if (withDistances) cellDistance.Add(0);
            _cellStamp[start] = _stamp;
            for (var head = 0; head < cells.Count; head++)
            {
                var cell = cells[head];
                var d = withDistances ? cellDistance[head] : 0;
                foreach (var r in _relationsOf[cell])
                {
                    if (_relationStamp[r] == _stamp) continue;
                    _relationStamp[r] = _stamp;
                    relations.Add(r);
                    if (withDistances) relationDistance.Add(d);
                    foreach (var other in _cells[r])
                    {
                        if (!IsHidden(other) || _cellStamp[other] == _stamp) continue;
                        _cellStamp[other] = _stamp;
                        cells.Add(other);
                        if (withDistances) cellDistance.Add(d + 1);
                    }
                }
            }
            return (cells, relations, cellDistance, relationDistance);
        }

        private void Reset(int cell)
        {
            (_lo[cell], _hi[cell]) = _marker[cell] switch
            {
                CountMarker.None => (_value[cell], _value[cell]),
                CountMarker.LessThanFive => (0L, Dashboard.Threshold - 1L),
                CountMarker.FiveOrMore => (Dashboard.Threshold, Unbounded),
                _ => (0L, Unbounded),
            };
        }

        /// <summary>Tightens the intervals of a component's cells through its relations until nothing changes.</summary>
        private void Propagate(List<int> cells, List<int> relations)
        {
            foreach (var c in cells) Reset(c);
            _queueStamp++;
            var queue = new Queue<int>(relations.Count);
            foreach (var r in relations)
            {
                queue.Enqueue(r);
                _inQueue[r] = _queueStamp;
            }
            while (queue.Count > 0)
            {
                var r = queue.Dequeue();
                _inQueue[r] = 0;
                Tighten(r, queue);
            }
        }

        /// <summary>
        /// One relation Σ sᵢxᵢ = 0: each hidden cell is bounded by what the others allow,
        /// sᵢxᵢ = −Σ_{j≠i} sⱼxⱼ. Unbounded ends are counted apart so that sums stay exact.
        /// </summary>
        private void Tighten(int r, Queue<int> queue)
        {
            var cells = _cells[r];
            var signs = _signs[r];
            long lowSum = 0, highSum = 0;
            int lowInfinite = 0, highInfinite = 0;
            for (var k = 0; k < cells.Length; k++)
            {
                var (tl, th, tlInf, thInf) = Term(cells[k], signs[k]);
                if (tlInf) lowInfinite++; else lowSum += tl;
                if (thInf) highInfinite++; else highSum += th;
            }
            for (var k = 0; k < cells.Length; k++)
            {
                var c = cells[k];
                if (!IsHidden(c)) continue;
                var (tl, th, tlInf, thInf) = Term(c, signs[k]);
                // Bounds of the sum of the other terms.
                var othersLowFinite = lowInfinite - (tlInf ? 1 : 0) == 0;
                var othersHighFinite = highInfinite - (thInf ? 1 : 0) == 0;
                var othersLow = othersLowFinite ? lowSum - (tlInf ? 0 : tl) : 0;
                var othersHigh = othersHighFinite ? highSum - (thInf ? 0 : th) : 0;
                long newLo, newHi;
                bool loKnown, hiKnown;
                if (signs[k] > 0)
                {
                    // x = −others: x ≥ −othersHigh, x ≤ −othersLow.
                    (loKnown, newLo) = (othersHighFinite, -othersHigh);
                    (hiKnown, newHi) = (othersLowFinite, -othersLow);
                }
                else
                {
                    // −x = −others: x ≥ othersLow, x ≤ othersHigh.
                    (loKnown, newLo) = (othersLowFinite, othersLow);
                    (hiKnown, newHi) = (othersHighFinite, othersHigh);
                }
                var changed = false;
                if (loKnown && newLo > _lo[c])
                {
                    _lo[c] = newLo;
                    changed = true;
                }
                if (hiKnown && newHi < _hi[c])
                {
                    _hi[c] = newHi;
                    changed = true;
                }
                if (!changed) continue;
                if (_lo[c] > _hi[c]) throw new InvalidOperationException($"Suppression audit: cell {c} has an empty interval; the relations do not hold.");
                foreach (var other in _relationsOf[c])
                {
                    if (_inQueue[other] == _queueStamp) continue;
                    _inQueue[other] = _queueStamp;
                    queue.Enqueue(other);
                }
            }
        }

        /// <summary>The interval of s·x for one term; the flags say which end is unbounded.</summary>
        private (long Lo, long Hi, bool LoInfinite, bool HiInfinite) Term(int cell, int sign)
        {
            var lo = _lo[cell];
            var hi = _hi[cell];
            var hiInfinite = hi == Unbounded;
            return sign > 0
                ? (lo, hiInfinite ? 0 : hi, false, hiInfinite)
                : (hiInfinite ? 0 : -hi, -lo, hiInfinite, false);
        }

        /// <summary>
        /// Makes the determined cell <paramref name="pinned"/> undetermined again, or at least hides
        /// one more cell towards that (SPEC.md §11.4 steps 3–5).
        /// </summary>
        private void Repair(int pinned)
        {
            var (cells, relations, _, relationDistance) = Component(pinned, withDistances: true);
            // Relations by distance from the pinned cell, then in relation order (their indices are that order).
            var order = Enumerable.Range(0, relations.Count)
                .OrderBy(i => relationDistance[i]).ThenBy(i => relations[i])
                .ToList();
            var position = 0;
            while (position < order.Count)
            {
                var distance = relationDistance[order[position]];
                var candidates = new List<int>();
                var tried = new HashSet<int>();
                for (; position < order.Count && relationDistance[order[position]] == distance; position++)
                {
                    var r = relations[order[position]];
                    // Within a relation: published zeros first (hiding a zero costs a reader least),
                    // then the least aggregated cells, then document order.
                    var visible = _cells[r].Where(c => !IsHidden(c))
                        .OrderBy(c => _value[c] != 0).ThenBy(c => _weight[c]).ThenBy(c => c)
                        .Take(TrialsPerRelation);
                    foreach (var c in visible)
                    {
                        if (tried.Add(c)) candidates.Add(c);
                    }
                }
                if (candidates.Count == 0) continue;
                foreach (var candidate in candidates)
                {
                    if (TryHide(pinned, candidate)) return;
                }
                // No single cell frees it: hide the first large cell (most slack), else the first one,
                // and look again (the loop in Run comes back while the cell stays determined).
                var fallback = candidates.FirstOrDefault(c => _value[c] >= Dashboard.Threshold, candidates[0]);
                Hide(fallback);
                var (after, afterRelations, _, _) = Component(pinned, withDistances: false);
                Propagate(after, afterRelations);
                UpdatePinned(after);
                return;
            }
            // Nothing published is tied to this component any more: the markers alone pin it.
            // Withhold the whole component: its cells say nothing about their values.
            foreach (var c in cells) _marker[c] = CountMarker.Hidden;
            Propagate(cells, relations);
            UpdatePinned(cells);
        }

        private void Hide(int cell) =>
            _marker[cell] = _value[cell] == 0 ? CountMarker.LessThanFive : CountMarker.FiveOrMore;

        /// <summary>Hides <paramref name="candidate"/>; keeps it hidden only if that leaves <paramref name="pinned"/> undetermined.</summary>
        private bool TryHide(int pinned, int candidate)
        {
            _trials++;
            Hide(candidate);
            var (cells, relations, _, _) = Component(pinned, withDistances: false);
            var saved = cells.Select(c => (_lo[c], _hi[c])).ToArray();
            Propagate(cells, relations);
            if (!IsExposed(pinned))
            {
                UpdatePinned(cells);
                return true;
            }
            _marker[candidate] = CountMarker.None;
            for (var i = 0; i < cells.Count; i++) (_lo[cells[i]], _hi[cells[i]]) = saved[i];
            return false;
        }
    }
}
