namespace KinderQueue.Core.Public;

internal sealed partial class SmallCellSuppression
{
    /// <summary>Runs primary suppression and, unless <paramref name="secondary"/> is false, the audit and repair.</summary>
    public SuppressionResult Solve(bool secondary = true) => new Solver(this).Run(secondary);

    /// <summary>The audit's intervals of every cell for the given markers: what an attacker can derive.</summary>
    internal (long Lo, long Hi)[] Intervals(IReadOnlyList<CountMarker> markers) => new Solver(this).IntervalsFor(markers);

    /// <summary>
    /// Markers per cell; how many were hidden as small (primary), published cells hidden and "&lt;5" labels withdrawn (secondary);
    /// small counts published because the exact figures determine them; candidate trials.
    /// </summary>
    internal sealed record SuppressionResult(CountMarker[] Markers, int Primary, int HiddenPublished, int Relabelled, int Determined, int Trials);

    /// <summary>
    /// Computes the unique interval fixpoint incrementally. Every bound remembers the relation that
    /// set it (its justification); when a cell is hidden (its interval widens), only the bounds whose
    /// justifications lead back to it are reset to what their markers allow, and only the relations
    /// around them are evaluated again. Bounds that did not depend on the widened cell are still
    /// consequences of the relations, so propagating from there reaches the same greatest fixpoint as
    /// starting afresh: the result is the one SPEC.md §13.4 defines, at a cost that follows the size of
    /// the change rather than of the table. Each relation keeps running sums of its terms' bounds.
    /// </summary>
    private sealed class Solver
    {
        private const int NoRelation = -1;

        private readonly long[] _value;
        private readonly int[] _weight;
        // Cells that are never hidden: published exactly elsewhere, or determined by those and the zeros.
        private readonly bool[] _fixed;
        private readonly int[][] _cells;       // per relation (in RelationOrder), its cells ascending
        private readonly int[][] _signs;
        private readonly int[][] _relationsOf; // per cell, the relations that contain it, ascending
        private readonly int[][] _signsOf;     // per cell, its sign in each of those relations
        private readonly int[][] _candidateOrder; // per relation, its cells in the order the repair tries them

        private readonly CountMarker[] _marker;
        private readonly long[] _lo;
        private readonly long[] _hi;
        private readonly int[] _loBy;          // the relation that set the lower bound, or NoRelation
        private readonly int[] _hiBy;

        // Per relation, Σ of the terms' lower and upper ends (sign · cell), unbounded ends counted apart.
        private readonly long[] _lowSum;
        private readonly long[] _highSum;
        private readonly int[] _lowUnbounded;
        private readonly int[] _highUnbounded;
        private readonly HashSet<int>?[] _justifies;
        // Per relation, the positions (in _cells[r]) of its hidden cells: only they can be tightened.
        private readonly List<int>[] _hiddenAt;
        // Per relation, at least the widest interval among its hidden cells (Unbounded if one is unbounded).
        private readonly long[] _maxWidth;

        private readonly Queue<int> _queue = new();
        private readonly bool[] _queued;
        private readonly int[] _cellMark;
        private readonly int[] _relationMark;
        private int _mark;
        private readonly SortedSet<int> _exposed = [];
        private readonly bool[] _isExposed;
        private List<Change>? _undo;
        private int _trials;

        private readonly record struct Change(int Cell, CountMarker Marker, long Lo, long Hi, int LoBy, int HiBy);

        public Solver(SmallCellSuppression problem)
        {
            _value = [.. problem._values];
            _weight = [.. problem._weights];
            _fixed = [.. problem._exact];
            var ordered = problem._relations.ToArray();
            Array.Sort(ordered, RelationOrder);
            _cells = [.. ordered.Select(r => r.Cells)];
            _signs = [.. ordered.Select(r => r.Signs)];
            var n = _value.Length;
            var counts = new int[n];
            foreach (var cells in _cells)
            {
                foreach (var c in cells) counts[c]++;
            }
            _relationsOf = new int[n][];
            _signsOf = new int[n][];
            for (var i = 0; i < n; i++)
            {
                _relationsOf[i] = new int[counts[i]];
                _signsOf[i] = new int[counts[i]];
            }
            Array.Clear(counts);
            for (var r = 0; r < _cells.Length; r++)
            {
                for (var k = 0; k < _cells[r].Length; k++)
                {
                    var c = _cells[r][k];
                    _relationsOf[c][counts[c]] = r;
                    _signsOf[c][counts[c]++] = _signs[r][k];
                }
            }
            // Within a relation the least aggregated cells first, then document order. Weights never change: sort once.
            _candidateOrder = [.. _cells.Select(cells => cells.OrderBy(c => _weight[c]).ThenBy(c => c).ToArray())];
            _marker = new CountMarker[n];
            _lo = new long[n];
            _hi = new long[n];
            _loBy = new int[n];
            _hiBy = new int[n];
            _cellMark = new int[n];
            _isExposed = new bool[n];
            var relations = _cells.Length;
            _lowSum = new long[relations];
            _highSum = new long[relations];
            _lowUnbounded = new int[relations];
            _highUnbounded = new int[relations];
            _justifies = new HashSet<int>?[relations];
            _hiddenAt = new List<int>[relations];
            _maxWidth = new long[relations];
            for (var r = 0; r < relations; r++) _hiddenAt[r] = [];
            _queued = new bool[relations];
            _relationMark = new int[relations];
        }

        private bool IsHidden(int cell) => _marker[cell] != CountMarker.None;

        /// <summary>A hidden cell is exposed when the relations pin its interval to one value.</summary>
        private bool IsExposed(int cell) => IsHidden(cell) && _lo[cell] == _hi[cell];

        public SuppressionResult Run(bool secondary)
        {
            var determined = FixDetermined();
            var primary = 0;
            for (var i = 0; i < _value.Length; i++)
            {
                // Primary suppression: a count of 1..4 is never published (SPEC.md §13.4 step 2),
                // unless the exact figures determine it (step 1).
                _marker[i] = CountMarker.None;
                if (!_fixed[i] && _value[i] is >= 1 and < Dashboard.Threshold)
                {
                    _marker[i] = CountMarker.LessThanFive;
                    primary++;
                }
            }
            AuditAll();
            if (secondary)
            {
                while (_exposed.Count > 0) Repair(_exposed.Min);
            }
            var hiddenPublished = Enumerable.Range(0, _value.Length).Count(i => _marker[i] == CountMarker.Hidden && _value[i] >= Dashboard.Threshold);
            var relabelled = Enumerable.Range(0, _value.Length).Count(i => _marker[i] == CountMarker.Hidden && _value[i] < Dashboard.Threshold);
            return new SuppressionResult(_marker, primary, hiddenPublished, relabelled, determined, _trials);
        }

        /// <summary>
        /// SPEC.md §13.4 step 1: with every count hidden except the exact figures and the zeros, the
        /// cells the relations still pin to one value are determined by what is published anyway, so
        /// they are published and never hidden. One pass is enough: publishing a pinned cell gives it
        /// the interval it already had. Returns how many of them are small (1..4).
        /// </summary>
        private int FixDetermined()
        {
            for (var i = 0; i < _value.Length; i++) _marker[i] = _fixed[i] || _value[i] == 0 ? CountMarker.None : CountMarker.Hidden;
            AuditAll();
            var small = 0;
            for (var i = 0; i < _value.Length; i++)
            {
                if (!IsExposed(i)) continue;
                _fixed[i] = true;
                if (_value[i] < Dashboard.Threshold) small++;
            }
            return small;
        }

        public (long Lo, long Hi)[] IntervalsFor(IReadOnlyList<CountMarker> markers)
        {
            for (var i = 0; i < _marker.Length; i++) _marker[i] = markers[i];
            AuditAll();
            return [.. _lo.Zip(_hi)];
        }

        /// <summary>Every cell at what its marker allows, then propagation over every relation to the fixpoint.</summary>
        private void AuditAll()
        {
            for (var i = 0; i < _value.Length; i++)
            {
                (_lo[i], _hi[i]) = MarkerBounds(i);
                _loBy[i] = _hiBy[i] = NoRelation;
                UpdateExposed(i);
            }
            for (var r = 0; r < _cells.Length; r++)
            {
                _lowSum[r] = _highSum[r] = 0;
                _lowUnbounded[r] = _highUnbounded[r] = 0;
                _hiddenAt[r].Clear();
                _maxWidth[r] = 0;
                for (var k = 0; k < _cells[r].Length; k++)
                {
                    var c = _cells[r][k];
                    AddTerm(r, c, _signs[r][k], +1);
                    if (!IsHidden(c)) continue;
                    _hiddenAt[r].Add(k);
                    _maxWidth[r] = Math.Max(_maxWidth[r], Width(c));
                }
                if (_hiddenAt[r].Count > 0) Enqueue(r);
            }
            Propagate();
        }

        /// <summary>What a marker says (SPEC.md §13.4): "&lt;5" is 1..4, "hidden" is at least 1; zeros are always published.</summary>
        private (long Lo, long Hi) MarkerBounds(int cell) => _marker[cell] switch
        {
            CountMarker.None => (_value[cell], _value[cell]),
            CountMarker.LessThanFive => (1L, Dashboard.Threshold - 1L),
            _ => (1L, Unbounded),
        };

        /// <summary>Adds (direction +1) or removes (−1) one term's current bounds to or from a relation's sums.</summary>
        private void AddTerm(int r, int cell, int sign, int direction)
        {
            var lo = _lo[cell];
            var hi = _hi[cell];
            if (sign > 0)
            {
                _lowSum[r] += direction * lo;
                if (hi == Unbounded) _highUnbounded[r] += direction; else _highSum[r] += direction * hi;
            }
            else
            {
                if (hi == Unbounded) _lowUnbounded[r] += direction; else _lowSum[r] -= direction * hi;
                _highSum[r] -= direction * lo;
            }
        }

        private int SignIn(int r, int cell) => _signs[r][Array.BinarySearch(_cells[r], cell)];

        /// <summary>Sets a cell's interval and justifications, keeping sums, justification sets, the exposed set and the undo log right.</summary>
        private void SetBounds(int cell, long lo, long hi, int loBy, int hiBy)
        {
            _undo?.Add(new Change(cell, _marker[cell], _lo[cell], _hi[cell], _loBy[cell], _hiBy[cell]));
            var relations = _relationsOf[cell];
            var signs = _signsOf[cell];
            for (var j = 0; j < relations.Length; j++) AddTerm(relations[j], cell, signs[j], -1);
            var (oldLoBy, oldHiBy) = (_loBy[cell], _hiBy[cell]);
            (_lo[cell], _hi[cell], _loBy[cell], _hiBy[cell]) = (lo, hi, loBy, hiBy);
            var width = Width(cell);
            for (var j = 0; j < relations.Length; j++)
            {
                AddTerm(relations[j], cell, signs[j], +1);
                if (width > _maxWidth[relations[j]]) _maxWidth[relations[j]] = width;
            }
            if (oldLoBy != loBy || oldHiBy != hiBy)
            {
                // A relation justifies the cell while it set either of its bounds.
                if (oldLoBy != NoRelation && oldLoBy != loBy && oldLoBy != hiBy) _justifies[oldLoBy]!.Remove(cell);
                if (oldHiBy != NoRelation && oldHiBy != loBy && oldHiBy != hiBy) _justifies[oldHiBy]!.Remove(cell);
                if (loBy != NoRelation) (_justifies[loBy] ??= []).Add(cell);
                if (hiBy != NoRelation) (_justifies[hiBy] ??= []).Add(cell);
            }
            UpdateExposed(cell);
        }

        private void UpdateExposed(int cell)
        {
            var exposed = IsExposed(cell);
            if (exposed == _isExposed[cell]) return;
            _isExposed[cell] = exposed;
            if (exposed) _exposed.Add(cell);
            else _exposed.Remove(cell);
        }

        private long Width(int cell) => _hi[cell] == Unbounded ? Unbounded : _hi[cell] - _lo[cell];

        private void SetMarker(int cell, CountMarker marker)
        {
            _undo?.Add(new Change(cell, _marker[cell], _lo[cell], _hi[cell], _loBy[cell], _hiBy[cell]));
            RestoreMarker(cell, marker);
        }

        private void RestoreMarker(int cell, CountMarker marker)
        {
            var wasHidden = IsHidden(cell);
            _marker[cell] = marker;
            UpdateExposed(cell);
            if (wasHidden == IsHidden(cell)) return;
            foreach (var r in _relationsOf[cell])
            {
                var k = Array.BinarySearch(_cells[r], cell);
                if (wasHidden) _hiddenAt[r].Remove(k);
                else _hiddenAt[r].Add(k);
                _maxWidth[r] = Math.Max(_maxWidth[r], Width(cell));
            }
        }

        private void Enqueue(int r)
        {
            if (_queued[r]) return;
            _queued[r] = true;
            _queue.Enqueue(r);
        }

        private void Propagate()
        {
            while (_queue.Count > 0)
            {
                var r = _queue.Dequeue();
                _queued[r] = false;
                Tighten(r);
            }
        }

        /// <summary>
        /// One relation Σ sᵢxᵢ = 0: each hidden cell is bounded by what the others allow,
        /// sᵢxᵢ = −Σ_{j≠i} sⱼxⱼ, from the running sums less its own term.
        /// </summary>
        private void Tighten(int r)
        {
            // With two unbounded ends on each side no cell can get a finite bound from this relation.
            if (_lowUnbounded[r] >= 2 && _highUnbounded[r] >= 2) return;
            // A term can be narrowed only if it is wider than the slack of the sum, min(−Σ lows, Σ highs):
            // a large relation far from its bounds (a column of many kindergartens) is passed over at once.
            if (_lowUnbounded[r] == 0 && _highUnbounded[r] == 0 && _maxWidth[r] <= Math.Min(-_lowSum[r], _highSum[r])) return;
            var cells = _cells[r];
            var signs = _signs[r];
            var hidden = _hiddenAt[r];
            for (var h = 0; h < hidden.Count; h++)
            {
                var k = hidden[h];
                var c = cells[k];
                var lo = _lo[c];
                var hi = _hi[c];
                var (loKnown, newLo, hiKnown, newHi) = Implied(r, c, signs[k]);
                var tighterLo = loKnown && newLo > lo;
                var tighterHi = hiKnown && newHi < hi;
                if (!tighterLo && !tighterHi) continue;
                var setLo = tighterLo ? newLo : lo;
                var setHi = tighterHi ? newHi : hi;
                if (setLo > setHi) throw new InvalidOperationException($"Suppression audit: cell {c} has an empty interval; the relations do not hold.");
                SetBounds(c, setLo, setHi, tighterLo ? r : _loBy[c], tighterHi ? r : _hiBy[c]);
                foreach (var other in _relationsOf[c]) Enqueue(other);
            }
            long widest = 0;
            foreach (var k in hidden) widest = Math.Max(widest, Width(cells[k]));
            _maxWidth[r] = widest;
        }

        /// <summary>The bounds relation <paramref name="r"/> gives a cell from the other cells' current intervals: sx = −Σ others.</summary>
        private (bool LoKnown, long Lo, bool HiKnown, long Hi) Implied(int r, int c, int sign)
        {
            var lo = _lo[c];
            var hi = _hi[c];
            var hiUnbounded = hi == Unbounded;
            // This term's ends (sign · x) and whether they are unbounded.
            var (tl, th, tlInf, thInf) = sign > 0
                ? (lo, hiUnbounded ? 0 : hi, false, hiUnbounded)
                : (hiUnbounded ? 0 : -hi, -lo, hiUnbounded, false);
            var othersLowKnown = _lowUnbounded[r] - (tlInf ? 1 : 0) == 0;
            var othersHighKnown = _highUnbounded[r] - (thInf ? 1 : 0) == 0;
            var othersLow = _lowSum[r] - tl;
            var othersHigh = _highSum[r] - th;
            // x = −others (sign +1) or x = others (sign −1).
            return sign > 0
                ? (othersHighKnown, -othersHigh, othersLowKnown, -othersLow)
                : (othersLowKnown, othersLow, othersHighKnown, othersHigh);
        }

        /// <summary>Whether relation <paramref name="r"/> on its own gives the cell one of its current bounds.</summary>
        private bool Binds(int r, int c)
        {
            var (loKnown, lo, hiKnown, hi) = Implied(r, c, SignIn(r, c));
            return (loKnown && lo == _lo[c]) || (hiKnown && hi == _hi[c]);
        }

        /// <summary>
        /// Widens <paramref name="seeds"/> to what their (new) markers allow: resets every bound whose
        /// justification leads back to them, then propagates again around the reset cells.
        /// </summary>
        private void Widen(List<int> seeds)
        {
            _mark++;
            var reset = new List<int>(seeds.Count);
            foreach (var s in seeds)
            {
                if (_cellMark[s] == _mark) continue;
                _cellMark[s] = _mark;
                reset.Add(s);
            }
            for (var head = 0; head < reset.Count; head++)
            {
                foreach (var r in _relationsOf[reset[head]])
                {
                    // A relation's dependents are all marked the first time it is reached (nothing
                    // changes the justifications until the resets below), so it is scanned once: a
                    // large relation reached from many reset cells was rescanned per cell, which made
                    // the repair quadratic in a region's size.
                    if (_relationMark[r] == _mark) continue;
                    _relationMark[r] = _mark;
                    if (_justifies[r] is not { Count: > 0 } dependents) continue;
                    foreach (var d in dependents)
                    {
                        if (_cellMark[d] == _mark) continue;
                        _cellMark[d] = _mark;
                        reset.Add(d);
                    }
                }
            }
            foreach (var c in reset)
            {
                var (lo, hi) = MarkerBounds(c);
                SetBounds(c, lo, hi, NoRelation, NoRelation);
            }
            foreach (var c in reset)
            {
                foreach (var r in _relationsOf[c]) Enqueue(r);
            }
            Propagate();
        }

        /// <summary>
        /// Hides a published count, or withdraws the "&lt;5" label of a small one: either way the cell
        /// becomes "hidden" (at least 1) and its interval widens.
        /// </summary>
        private void Hide(int cell)
        {
            SetMarker(cell, CountMarker.Hidden);
            Widen([cell]);
        }

        /// <summary>Hides <paramref name="candidate"/>; keeps it hidden only if that leaves <paramref name="exposed"/> undetermined.</summary>
        private bool TryHide(int exposed, int candidate)
        {
            _trials++;
            _undo = [];
            Hide(candidate);
            var freed = !IsExposed(exposed);
            var log = _undo;
            _undo = null;
            if (freed) return true;
            for (var i = log.Count - 1; i >= 0; i--)
            {
                var x = log[i];
                RestoreMarker(x.Cell, x.Marker);
                SetBounds(x.Cell, x.Lo, x.Hi, x.LoBy, x.HiBy);
            }
            return false;
        }

        /// <summary>
        /// Makes the exposed cell undetermined again, or takes one step towards that (SPEC.md §13.4
        /// step 3). The candidates lie along what pins the cell: the relations that bind it, the hidden
        /// cells in them, the relations that bind those, up to <see cref="SearchDepth"/> levels. The
        /// first candidate that frees the cell on its own is kept; if none does, the first candidate is
        /// kept anyway and the cell is looked at again; if there is none, the first one found in the
        /// cell's whole component (through every relation) is kept.
        /// </summary>
        private void Repair(int exposed)
        {
            var candidates = Candidates(exposed, bindingOnly: true, SearchDepth);
            foreach (var candidate in candidates)
            {
                if (TryHide(exposed, candidate)) return;
            }
            if (candidates.Count == 0) candidates = Candidates(exposed, bindingOnly: false, int.MaxValue);
            // A determined cell needs a finite bound, which only a published count or a "<5" label in
            // its component can give; both are candidates, so there is always one.
            if (candidates.Count == 0) throw new InvalidOperationException($"Suppression: cell {exposed} is determined but nothing near it can be hidden.");
            Hide(candidates[0]);
        }

        /// <summary>
        /// Candidates by breadth-first levels from the exposed cell through hidden cells: level by level
        /// and in relation order, each relation's published counts (all 5 or more: zeros are never
        /// hidden), then its "&lt;5" cells (whose label may be withdrawn), at most
        /// <see cref="TrialsPerRelation"/> of each kind, least aggregated first. With
        /// <paramref name="bindingOnly"/> a relation is followed from a cell only if it binds that cell
        /// (on its own it gives the cell's lower or upper bound); otherwise the search stops at the first
        /// level that has a candidate.
        /// </summary>
        private List<int> Candidates(int exposed, bool bindingOnly, int maxLevels)
        {
            _mark++;
            _cellMark[exposed] = _mark;
            var candidates = new List<int>();
            var seen = new HashSet<int>();
            var frontier = new List<int> { exposed };
            for (var depth = 0; depth < maxLevels && frontier.Count > 0; depth++)
            {
                var level = new List<int>();
                foreach (var cell in frontier)
                {
                    foreach (var r in _relationsOf[cell])
                    {
                        if (_relationMark[r] == _mark || (bindingOnly && !Binds(r, cell))) continue;
                        _relationMark[r] = _mark;
                        level.Add(r);
                    }
                }
                level.Sort();
                foreach (var r in level)
                {
                    foreach (var published in new[] { true, false })
                    {
                        var taken = 0;
                        foreach (var c in _candidateOrder[r])
                        {
                            var eligible = published ? !IsHidden(c) && !_fixed[c] && _value[c] >= Dashboard.Threshold : _marker[c] == CountMarker.LessThanFive;
                            if (!eligible) continue;
                            if (seen.Add(c)) candidates.Add(c);
                            if (++taken == TrialsPerRelation) break;
                        }
                    }
                }
                if (!bindingOnly && candidates.Count > 0) break;
                frontier = [];
                foreach (var r in level)
                {
                    foreach (var c in _cells[r])
                    {
                        if (!IsHidden(c) || _cellMark[c] == _mark) continue;
                        _cellMark[c] = _mark;
                        frontier.Add(c);
                    }
                }
            }
            return candidates;
        }
    }
}
