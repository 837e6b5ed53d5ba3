// The queue index as it was before crossings were stored per queue (main at e687a55): each batch
// wrote a step to every member it passed. Kept verbatim, renamed, as the reference model of
// EagerIndexPropertyTests; do not optimise it.
using KinderQueue.Core.Allocation;
using NodaTime;

using KinderQueue.Core.Public;

namespace KinderQueue.Core.Tests.Public.Eager;

internal sealed partial class EagerQueueIndex
{
    /// <summary>
    /// Where a batch of moves comes from: its local date, the entry (-1 for the passage of time)
    /// and the entry listed under its reasons (the entry itself, the publication of the criteria
    /// that took effect, or -1 for the calendar).
    /// </summary>
    private readonly record struct Source(LocalDate Date, long Seq, long ReasonSeq);

    /// <summary>
    /// A track whose membership changes: its new queue (-1: none), key and tier code; the reason
    /// other members see (<see cref="Cause"/>) and the reason of its own step (<see cref="Own"/>);
    /// the status to show when it leaves because it no longer waits.
    /// </summary>
    /// <see cref="OwnSeq"/>: the entry the own reason cites when it is not the source's (−1): the part of a
    /// decision in parts that names the application (SPEC.md §8.5).
    private readonly record struct Move(int Track, int NewQueue, PriorityKey NewKey, int NewTier, Reason Cause, Reason Own, byte Status, long OwnSeq = -1);

    /// <summary>A move's old key (−1) or new key (+1) in one queue: members behind it gain that delta.</summary>
    private readonly record struct Point(PriorityKey Key, Reason Reason, int Delta);

    private static readonly int ReasonCount = PositionReasons.All.Length;

    /// <summary>Points per queue id (lists reused), and the queues that have points in the current batch.</summary>
    private readonly List<List<Point>?> _points = [];
    private readonly List<int> _pointQueues = [];
    private readonly List<(int Rank, int Value)> _between = [];
    private readonly int[] _running = new int[ReasonCount];
    private readonly ReasonShare[] _shares = new ReasonShare[ReasonCount];
    private int _stamp;

    // Places lost per application through the last entry's own moves (not the calendar's): what the
    // mass-position-loss rule counts (SPEC.md §17.3.9). Indexed by application id; a stamp marks this entry.
    private int[] _lossStamp = [];
    private int[] _loss = [];
    private readonly List<int> _losers = [];
    private int _lossEntry;

    /// <summary>Starts the tally of one entry's losses (called before its moves).</summary>
    private void StartLossTally()
    {
        _lossEntry++;
        _losers.Clear();
    }

    private void Lost(int app, int places)
    {
        if (_lossStamp.Length <= app)
        {
            var n = Math.Max(app + 1, _lossStamp.Length * 2);
            Array.Resize(ref _lossStamp, n);
            Array.Resize(ref _loss, n);
        }
        if (_lossStamp[app] != _lossEntry)
        {
            _lossStamp[app] = _lossEntry;
            _loss[app] = places;
            _losers.Add(app);
        }
        else if (places > _loss[app])
        {
            _loss[app] = places;
        }
    }

    /// <summary>
    /// How many applications lost more than <paramref name="places"/> places in one queue through the
    /// last entry observed (its own moves and the moves it caused; the calendar's changes before it
    /// are not the entry's doing). Cost: one visit per application that lost any place.
    /// </summary>
    public int ApplicationsLosingMoreThan(int places)
    {
        var n = 0;
        foreach (var app in _losers)
        {
            if (_loss[app] > places) n++;
        }
        return n;
    }

    // Buffers of one batch, reused: a year's log makes millions of batches, and fresh lists and
    // arrays per batch were a large part of the index's garbage (collections took a fifth of Observe).
    /// <summary>The moves of the batch being built; empty between batches (ProcessMoves clears it).</summary>
    private readonly List<Move> _moves = [];
    private int[] _before = [];
    private (int Queue, PriorityKey Key, int Tier)[] _old = [];
    private static readonly Comparison<Point> ByKey = (a, b) => a.Key.CompareTo(b.Key);

    /// <summary>
    /// Applies a batch of moves that happen together (one entry, or one date) and writes the
    /// resulting change to every track it affects (SPEC.md §12.3):
    /// <list type="number">
    /// <item>positions before, of the moved tracks, in the queues as they are;</item>
    /// <item>for every other member A of a queue with moves, the count per reason is the number of
    /// moves whose new key is ahead of A minus those whose old key was: a sweep over the moves' keys
    /// in order visits only the members between keys where that running count is not zero;</item>
    /// <item>the queues are updated, and the moved tracks get their own step with the position after.</item>
    /// </list>
    /// Cost: O(moves × log n) plus one visit per member whose position changes.
    /// </summary>
    private void ProcessMoves(Source source, List<Move> moves)
    {
        if (moves.Count == 0) return;
        _stamp++;
        if (_before.Length < moves.Count)
        {
            _before = new int[Math.Max(moves.Count, 2 * _before.Length)];
            _old = new (int Queue, PriorityKey Key, int Tier)[_before.Length];
        }
        var before = _before;
        var old = _old;
        for (var i = 0; i < moves.Count; i++)
        {
            var m = moves[i];
            var t = _tracks[m.Track];
            t.Stamp = _stamp;
            old[i] = (t.Queue, t.Key, t.Tier);
            before[i] = t.Queue >= 0 ? 1 + _queues[t.Queue].Members.CountLess(t.Key) : 0;
            if (t.Queue >= 0) AddPoint(t.Queue, new Point(t.Key, m.Cause, -1));
            if (m.NewQueue >= 0) AddPoint(m.NewQueue, new Point(m.NewKey, m.Cause, +1));
        }

        foreach (var queue in _pointQueues)
        {
            var points = _points[queue]!;
            Sweep(source, _queues[queue].Members, points);
            points.Clear();
        }
        _pointQueues.Clear();

        for (var i = 0; i < moves.Count; i++)
        {
            if (old[i].Queue < 0) continue;
            var q = _queues[old[i].Queue];
            if (!q.Members.Remove(old[i].Key)) throw new InvalidOperationException("A moved member was not in its queue.");
            q.TierCounts[old[i].Key.TierRank]--;
        }
        for (var i = 0; i < moves.Count; i++)
        {
            var m = moves[i];
            var t = _tracks[m.Track];
            t.Queue = m.NewQueue;
            t.Key = m.NewKey;
            t.Tier = m.NewTier;
            if (m.NewQueue < 0) continue;
            var q = _queues[m.NewQueue];
            q.Members.Insert(m.NewKey, m.Track);
            if (q.TierCounts.Length <= m.NewKey.TierRank)
            {
                var counts = q.TierCounts;
                Array.Resize(ref counts, m.NewKey.TierRank + 1);
                q.TierCounts = counts;
            }
            q.TierCounts[m.NewKey.TierRank]++;
        }

        Span<ReasonShare> one = stackalloc ReasonShare[1];
        for (var i = 0; i < moves.Count; i++)
        {
            var m = moves[i];
            var t = _tracks[m.Track];
            var after = m.NewQueue >= 0 ? 1 + _queues[m.NewQueue].Members.CountLess(m.NewKey) : 0;
            if (after == before[i] && m.NewQueue == old[i].Queue && m.NewTier == old[i].Tier) continue;
            var count = after > 0 && before[i] > 0 ? after - before[i] : 0;
            if (count > 0 && source.Seq >= 0) Lost(t.App, count);
            one[0] = new ReasonShare(m.Own, count, m.OwnSeq >= 0 ? m.OwnSeq : source.ReasonSeq);
            var queue = m.NewQueue >= 0 ? m.NewQueue : old[i].Queue;
            var tier = m.NewQueue >= 0 ? m.NewTier : old[i].Tier;
            t.Steps.Append(source.Date, source.Seq, before[i], after, queue, tier, m.Status, null, null, one);
        }
        moves.Clear();
        // A full recompute's buffers (a move per track) would otherwise stay as large as the region.
        if (_before.Length > KeptBuffer)
        {
            _before = [];
            _old = [];
        }
    }

    private const int KeptBuffer = 4096;

    private void AddPoint(int queue, Point p)
    {
        while (_points.Count <= queue) _points.Add(null);
        var list = _points[queue] ??= [];
        if (list.Count == 0) _pointQueues.Add(queue);
        list.Add(p);
    }

    private void Sweep(Source source, QueueTree members, List<Point> points)
    {
        points.Sort(ByKey);
        Array.Clear(_running);
        var nonZero = 0;
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var was = _running[(int)p.Reason];
            var now = was + p.Delta;
            _running[(int)p.Reason] = now;
            if (was == 0) nonZero++;
            if (now == 0) nonZero--;
            if (nonZero == 0) continue;

            var shareCount = 0;
            var sum = 0;
            for (var r = 0; r < ReasonCount; r++)
            {
                if (_running[r] == 0) continue;
                _shares[shareCount++] = new ReasonShare((Reason)r, _running[r], source.ReasonSeq);
                sum += _running[r];
            }
            // Within one entry all moves of a queue push the same way (SPEC.md §12.3), so a non-zero
            // count always changes the position; the check keeps the rule "a change is a step" exact.
            if (sum == 0) continue;
            ReadOnlySpan<ReasonShare> shares = _shares.AsSpan(0, shareCount);

            _between.Clear();
            members.Between(p.Key, i + 1 < points.Count ? points[i + 1].Key : null, _between);
            foreach (var (rank, trackId) in _between)
            {
                var t = _tracks[trackId];
                if (t.Stamp == _stamp) continue;
                var before = rank + 1;
                if (sum > 0 && source.Seq >= 0) Lost(t.App, sum);
                t.Steps.Append(source.Date, source.Seq, before, before + sum, t.Queue, t.Tier, 0, null, null, shares);
            }
        }
    }
}
