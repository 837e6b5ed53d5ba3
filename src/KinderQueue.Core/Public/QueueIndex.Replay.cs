using System.Runtime.CompilerServices;
using KinderQueue.Core.Allocation;
using NodaTime;

namespace KinderQueue.Core.Public;

public sealed partial class QueueIndex
{
    // A submission with a claim enters ahead of every member without one, and each member it passes
    // gets a step (SPEC.md §12.3). Writing those steps member by member cost one visit per member
    // passed: quadratic in the queue's length (17.6 s of a 100,000-application restart, 82 s at
    // 200,000). So a batch writes one crossing per key range of a queue instead, and a history is
    // derived when it is read: the track's own records and the crossings of its memberships are
    // replayed, in batch order, into the same step log as before (same appends, same coalescing).

    /// <summary>
    /// One batch's effect on the members of one queue that it did not move: every such member
    /// with <see cref="Low"/> &lt; key &lt; <see cref="High"/> (null: open) moved by
    /// <see cref="Sum"/>, the sum of the shares' counts (never 0).
    /// </summary>
    private readonly record struct Crossing(int Batch, LocalDate Date, long Seq, PriorityKey Low, PriorityKey? High, int Sum, ReasonShare[] Shares)
    {
        public bool Covers(PriorityKey key) => key.CompareTo(Low) > 0 && (High is not { } h || key.CompareTo(h) < 0);
    }

    /// <summary>
    /// One membership of a track: queue, key and tier from batch <see cref="From"/> (which made it,
    /// leaving the track at <see cref="Position"/>) until batch <see cref="To"/> (which moved the
    /// track again; <see cref="int.MaxValue"/> while it lasts). The crossings strictly between the
    /// two are the ones that passed the track.
    /// </summary>
    private readonly record struct Segment(int Queue, PriorityKey Key, int Tier, int From, int Position, int To = int.MaxValue);

    /// <summary>A step written for the track itself (its own move, or a context step), with its batch.</summary>
    private readonly record struct StepRecord(int Batch, LocalDate Date, long Seq, int Before, int After, int Queue, int Tier, byte Status,
        int? SeatsBefore, int? SeatsAfter, ReasonShare Share);

    private static readonly int RecordWords = Unsafe.SizeOf<StepRecord>() / 8;
    private static readonly int SegmentWords = Unsafe.SizeOf<Segment>() / 8;
    private static readonly int CrossingWords = Unsafe.SizeOf<Crossing>() / 8;
    private static readonly int ShareWords = Unsafe.SizeOf<ReasonShare>() / 8;

    /// <summary>
    /// The track's step log as the member-by-member writer made it: its records and the crossings
    /// that covered its key during each membership, merged in batch order (a track is either moved
    /// by a batch or crossed by it, never both, and context steps have batches of their own), the
    /// crossings' positions counted on from the membership's start. Cost: the crossings of the
    /// track's queues since it joined them.
    /// </summary>
    private PositionStepLog Replay(Track t)
    {
        var log = new PositionStepLog();
        var records = t.Records!;
        var next = 0;
        Span<ReasonShare> one = stackalloc ReasonShare[1];
        foreach (var s in t.Segments!)
        {
            var crossings = _queues[s.Queue].Crossings;
            var position = s.Position;
            for (var i = FirstAfter(crossings, s.From); i < crossings.Count; i++)
            {
                var c = crossings[i];
                if (c.Batch >= s.To) break;
                if (!c.Covers(s.Key)) continue;
                while (next < records.Count && records[next].Batch < c.Batch) Write(log, records[next++], one);
                log.Append(c.Date, c.Seq, position, position + c.Sum, s.Queue, s.Tier, 0, null, null, c.Shares);
                position += c.Sum;
            }
        }
        while (next < records.Count) Write(log, records[next++], one);
        return log;
    }

    private static void Write(PositionStepLog log, in StepRecord r, Span<ReasonShare> one)
    {
        one[0] = r.Share;
        log.Append(r.Date, r.Seq, r.Before, r.After, r.Queue, r.Tier, r.Status, r.SeatsBefore, r.SeatsAfter, one);
    }

    /// <summary>Index of the first crossing of a batch after <paramref name="batch"/> (batches ascend).</summary>
    private static int FirstAfter(List<Crossing> crossings, int batch)
    {
        int lo = 0, hi = crossings.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (crossings[mid].Batch <= batch) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
