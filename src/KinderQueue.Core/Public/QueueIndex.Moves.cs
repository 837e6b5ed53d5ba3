using KinderQueue.Core.Allocation;
using NodaTime;

namespace KinderQueue.Core.Public;

public sealed partial class QueueIndex
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
    private int _stamp;

    // Places lost per application through the last entry's own moves (not the calendar's): what the
    // mass-position-loss rule counts (SPEC.md §17.3.9). Indexed by application id; a stamp marks this entry.
    private int[] _lossStamp = [];
    private int[] _loss = [];
    private readonly List<int> _losers = [];
    private int _lossEntry;

    /// <summary>
    /// The current entry's crossings that cost places, not yet counted per application: the rule
    /// asks only for applications losing more than a threshold, so the members of a crossing are
    /// visited only when its places exceed it (a claim's crossing costs one place each). Counted
    /// into the tally before the next batch changes the queues. A copy of the crossing's range, so
    /// that an index for losses only, which stores no crossings, keeps these until the next entry.
    /// </summary>
    private readonly List<LossCrossing> _lossCrossings = [];

    /// <summary>Batch <see cref="Batch"/> moved the members of <see cref="Queue"/> it did not move with Low &lt; key &lt; High back by <see cref="Sum"/> places.</summary>
    private readonly record struct LossCrossing(int Queue, int Batch, PriorityKey Low, PriorityKey? High, int Sum);

    private int[] _countStamp = [];
    private int _count;

    /// <summary>Starts the tally of one entry's losses (called before its moves).</summary>
    private void StartLossTally()
    {
        _lossEntry++;
        _losers.Clear();
        _lossCrossings.Clear();
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
    /// are not the entry's doing). Cost: one visit per moved application that lost a place, and per
    /// member of the crossings that cost more than <paramref name="places"/>. For the writer (it
    /// uses the queues' walk buffers), between entries.
    /// </summary>
    public int ApplicationsLosingMoreThan(int places)
    {
        if (!_histories && places < LossFloor)
            throw new InvalidOperationException($"This index tallies losses of more than {LossFloor} places only; asked for more than {places}.");
        if (_countStamp.Length < _apps.Count) _countStamp = new int[Math.Max(_apps.Count, 2 * _countStamp.Length)];
        _count++;
        var n = 0;
        foreach (var app in _losers)
        {
            if (_loss[app] <= places) continue;
            _countStamp[app] = _count;
            n++;
        }
        foreach (var c in _lossCrossings)
        {
            if (c.Sum <= places) continue;
            foreach (var app in CrossedApps(c))
            {
                if (_countStamp[app] == _count) continue;
                _countStamp[app] = _count;
                n++;
            }
        }
        return n;
    }

    /// <summary>Counts the pending crossings' losses per application, before a batch changes the queues they describe.</summary>
    private void TallyLossCrossings()
    {
        foreach (var c in _lossCrossings)
        {
            foreach (var app in CrossedApps(c)) Lost(app, c.Sum);
        }
        _lossCrossings.Clear();
    }

    /// <summary>
    /// The applications of the members a crossing of the last batch passed: its key range in the
    /// queue as it is now, less the tracks that batch moved (they came in with their new keys).
    /// </summary>
    private List<int> CrossedApps(LossCrossing c)
    {
        _between.Clear();
        _queues[c.Queue].Members.Between(c.Low, c.High, _between);
        var apps = _crossedApps;
        apps.Clear();
        foreach (var (_, trackId) in _between)
        {
            var t = _tracks[trackId];
            if (t.Stamp != c.Batch) apps.Add(t.App);
        }
        return apps;
    }

    private readonly List<int> _crossedApps = [];

    // Buffers of one batch, reused: a year's log makes millions of batches, and fresh lists and
    // arrays per batch were a large part of the index's garbage (collections took a fifth of Observe).
    /// <summary>The moves of the batch being built; empty between batches (ProcessMoves clears it).</summary>
    private readonly List<Move> _moves = [];
    private int[] _before = [];
    private (int Queue, PriorityKey Key, int Tier)[] _old = [];
    private static readonly Comparison<Point> ByKey = (a, b) => a.Key.CompareTo(b.Key);

    /// <summary>
    /// Applies a batch of moves that happen together (one entry, or one date) and records the
    /// resulting change of every track it affects (SPEC.md §12.3):
    /// <list type="number">
    /// <item>positions before, of the moved tracks, in the queues as they are;</item>
    /// <item>for every other member A of a queue with moves, the count per reason is the number of
    /// moves whose new key is ahead of A minus those whose old key was: a sweep over the moves' keys
    /// in order writes one crossing per key range where that running count is not zero, without
    /// visiting its members;</item>
    /// <item>the queues are updated, and the moved tracks get their own record and a new segment.</item>
    /// </list>
    /// Cost: O(moves × log n), independent of how many members a move passes. An index for losses
    /// only writes no records, segments or crossings: it keeps the entry's loss ranges alone.
    /// </summary>
    private void ProcessMoves(Source source, List<Move> moves)
    {
        if (moves.Count == 0) return;
        TallyLossCrossings();
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
            Sweep(source, queue, points);
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

        for (var i = 0; i < moves.Count; i++)
        {
            var m = moves[i];
            var t = _tracks[m.Track];
            var after = m.NewQueue >= 0 ? 1 + _queues[m.NewQueue].Members.CountLess(m.NewKey) : 0;
            if (t.Segments is { } segments)
            {
                if (old[i].Queue >= 0) segments[^1] = segments[^1] with { To = _stamp };
                if (m.NewQueue >= 0) segments.Add(new Segment(m.NewQueue, m.NewKey, m.NewTier, _stamp, after));
            }
            if (after == before[i] && m.NewQueue == old[i].Queue && m.NewTier == old[i].Tier) continue;
            var count = after > 0 && before[i] > 0 ? after - before[i] : 0;
            if (count > 0 && source.Seq >= 0 && (_histories || count > LossFloor)) Lost(t.App, count);
            if (t.Records is null) continue;
            var share = new ReasonShare(m.Own, count, m.OwnSeq >= 0 ? m.OwnSeq : source.ReasonSeq);
            var queue = m.NewQueue >= 0 ? m.NewQueue : old[i].Queue;
            var tier = m.NewQueue >= 0 ? m.NewTier : old[i].Tier;
            t.Records.Add(new StepRecord(_stamp, source.Date, source.Seq, before[i], after, queue, tier, m.Status, null, null, share));
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

    /// <summary>
    /// Writes the batch's crossings of one queue: between consecutive points of the moves, the
    /// members not moved gain the running count per reason (one crossing per range with a non-zero
    /// sum; the members are not visited).
    /// </summary>
    private void Sweep(Source source, int queue, List<Point> points)
    {
        var crossings = _queues[queue].Crossings;
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
                shareCount++;
                sum += _running[r];
            }
            // Within one entry all moves of a queue push the same way (SPEC.md §12.3), so a non-zero
            // count always changes the position; the check keeps the rule "a change is a step" exact.
            if (sum == 0) continue;
            var high = i + 1 < points.Count ? points[i + 1].Key : (PriorityKey?)null;
            // A loss the rule can count: the entry's own doing (the calendar's shifts are not), and in an
            // index for losses only, more than the floor (the only crossings it keeps, until the next entry).
            if (sum > 0 && source.Seq >= 0 && (_histories || sum > LossFloor)) _lossCrossings.Add(new LossCrossing(queue, _stamp, p.Key, high, sum));
            if (!_histories) continue;
            var shares = new ReasonShare[shareCount];
            shareCount = 0;
            for (var r = 0; r < ReasonCount; r++)
            {
                if (_running[r] != 0) shares[shareCount++] = new ReasonShare((Reason)r, _running[r], source.ReasonSeq);
            }
            crossings.Add(new Crossing(_stamp, source.Date, source.Seq, p.Key, high, sum, shares));
        }
    }
}
