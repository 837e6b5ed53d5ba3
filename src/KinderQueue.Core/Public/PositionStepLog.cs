using System.Collections.Immutable;
using NodaTime;

namespace KinderQueue.Core.Public;

/// <summary>Reasons as small numbers, in the order of <see cref="PositionReasons.All"/>.</summary>
internal enum Reason : byte
{
    NewAhead,
    RightVerified,
    RightRejected,
    Preferences,
    Withdrawn,
    Returned,
    Placed,
    Archived,
    EnrolledOutside,
    Criteria,
    Catchment,
    Calendar,
    Capacity,
    OwnSubmitted,
    OwnRight,
    OwnPreferences,
    OwnReturned,
    OwnStatus,
}

/// <summary>One reason of a change: its signed count and the entry behind it (-1: none).</summary>
internal readonly record struct ReasonShare(Reason Reason, int Count, long Seq);

/// <summary>
/// The steps of one track (an application at one kindergarten), packed into one growable array of
/// longs so that a long history costs a few words per step rather than several objects. Layout of
/// a step (all little fields packed into 64-bit words):
/// <code>
/// w0  date (year&lt;&lt;9 | month&lt;&lt;5 | day) : 32 | reason count : 8 | status : 8 | has seats : 1
/// w1  first seq (-1 none)        w2  last seq (-1 none)
/// w3  before (0 none) : 32 | after (0 none) : 32
/// w4  queue id : 32 | tier code : 32
/// w5  (only with seats) seats before (-1 none) : 32 | seats after : 32
/// per reason: r0 = reason : 8 | listed : 8 | count (signed) : 32 (bits 32..63); r1 = more; then the listed seqs
/// </code>
/// The last step stays open while it is coalescible: a later coalescible change of the same date
/// is merged into it in place (SPEC.md §12.5). Reads never modify the log.
/// </summary>
internal sealed class PositionStepLog
{
    private const int HeaderWords = 5;

    private long[] _tape = new long[8];
    private int _length;
    private int _last = -1;
    private bool _lastOpen;

    public bool IsEmpty => _length == 0;

    /// <summary>Number of steps.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Adds one change (one entry's or one date's effect on this track), its reasons in reason
    /// order. A change made only of coalescible reasons merges into the last step if that one is
    /// coalescible too and has the same date.
    /// </summary>
    public void Append(LocalDate date, long seq, int before, int after, int queue, int tier, byte status,
        int? seatsBefore, int? seatsAfter, ReadOnlySpan<ReasonShare> reasons)
    {
        var coalescible = seatsAfter is null && status == 0;
        for (var k = 0; k < reasons.Length; k++)
        {
            if (k > 0 && reasons[k].Reason <= reasons[k - 1].Reason) throw new ArgumentException("Reasons must be in reason order.", nameof(reasons));
            coalescible &= reasons[k].Reason <= Reason.Returned;
        }
        // The packed dates compare as the dates do (the packing is one-to-one), without building a LocalDate per member crossed.
        if (coalescible && _lastOpen && unchecked((uint)_tape[_last]) == unchecked((uint)Pack(date)))
        {
            Merge(seq, after, reasons);
            return;
        }
        _last = _length;
        _lastOpen = coalescible;
        Count++;
        var hasSeats = seatsAfter is not null;
        Reserve(HeaderWords + (hasSeats ? 1 : 0) + reasons.Length * 3);
        _tape[_length++] = Pack(date) | ((long)reasons.Length << 32) | ((long)status << 40) | (hasSeats ? 1L << 48 : 0);
        _tape[_length++] = seq;
        _tape[_length++] = seq;
        _tape[_length++] = Pair(before, after);
        _tape[_length++] = Pair(queue, tier);
        if (hasSeats) _tape[_length++] = Pair(seatsBefore ?? -1, seatsAfter!.Value);
        foreach (var r in reasons)
        {
            var listed = r.Seq >= 0 ? 1 : 0;
            _tape[_length++] = ReasonWord(r.Reason, listed, r.Count);
            _tape[_length++] = 0;
            if (listed == 1) _tape[_length++] = r.Seq;
        }
    }

    /// <summary>The steps, decoded; queue ids and tier codes are resolved by the index.</summary>
    public ImmutableArray<PositionStep> Read(Func<int, (string Group, int Year)> queue, Func<int, string> tier)
    {
        var steps = ImmutableArray.CreateBuilder<PositionStep>();
        var i = 0;
        while (i < _length)
        {
            var w0 = _tape[i];
            var reasonCount = (int)((w0 >> 32) & 0xFF);
            var status = (byte)((w0 >> 40) & 0xFF);
            var hasSeats = ((w0 >> 48) & 1) == 1;
            var first = _tape[i + 1];
            var last = _tape[i + 2];
            var (before, after) = Unpair(_tape[i + 3]);
            var (queueId, tierCode) = Unpair(_tape[i + 4]);
            i += HeaderWords;
            SeatChange? seats = null;
            if (hasSeats)
            {
                var (sb, sa) = Unpair(_tape[i++]);
                seats = new SeatChange(sb < 0 ? null : sb, sa);
            }
            var reasons = ImmutableArray.CreateBuilder<StepReason>(reasonCount);
            for (var r = 0; r < reasonCount; r++)
            {
                var (code, listed, count) = UnpackReason(_tape[i]);
                var more = _tape[i + 1];
                var seqs = ImmutableArray.Create(_tape, i + 2, listed);
                reasons.Add(new StepReason(PositionReasons.All[(int)code], count, seqs, checked((int)more)));
                i += 2 + listed;
            }
            var (group, year) = queue(queueId);
            steps.Add(new PositionStep(Unpack(w0), first < 0 ? null : first, last < 0 ? null : last,
                before == 0 ? null : before, after == 0 ? null : after, group, year, tier(tierCode),
                reasons.MoveToImmutable(), status == 0 ? null : StatusText(status), seats));
        }
        return steps.ToImmutable();
    }

    /// <summary>Words in use (for memory figures).</summary>
    public int Words => _length;

    public int Capacity => _tape.Length;

    private void Merge(long seq, int after, ReadOnlySpan<ReasonShare> reasons)
    {
        var at = _last;
        _tape[at + 2] = seq;
        var (before, _) = Unpair(_tape[at + 3]);
        _tape[at + 3] = Pair(before, after);
        foreach (var r in reasons)
        {
            // Find the reason's block, or the place where it belongs in reason order.
            var reasonCount = (int)((_tape[at] >> 32) & 0xFF);
            var i = at + HeaderWords;
            var found = false;
            for (var k = 0; k < reasonCount; k++)
            {
                var (code, listed, count) = UnpackReason(_tape[i]);
                if (code == r.Reason)
                {
                    found = true;
                    if (listed < PositionReasons.ListedSeqs)
                    {
                        // Entries arrive in log order and each adds at most one change to a track,
                        // so the seq is new to this reason and larger than those listed.
                        InsertWords(i + 2 + listed, 1);
                        _tape[i + 2 + listed] = seq;
                        _tape[i] = ReasonWord(code, listed + 1, checked(count + r.Count));
                    }
                    else
                    {
                        _tape[i] = ReasonWord(code, listed, checked(count + r.Count));
                        _tape[i + 1]++;
                    }
                    break;
                }
                if (code > r.Reason) break;
                i += 2 + listed;
            }
            if (!found)
            {
                InsertWords(i, 3);
                _tape[i] = ReasonWord(r.Reason, 1, r.Count);
                _tape[i + 1] = 0;
                _tape[i + 2] = seq;
                _tape[at] = (_tape[at] & ~(0xFFL << 32)) | ((long)(reasonCount + 1) << 32);
            }
        }
    }

    private void InsertWords(int at, int count)
    {
        Reserve(count);
        Array.Copy(_tape, at, _tape, at + count, _length - at);
        _length += count;
    }

    private void Reserve(int words)
    {
        if (_length + words <= _tape.Length) return;
        Array.Resize(ref _tape, Math.Max(_tape.Length * 2, _length + words));
    }

    private static long ReasonWord(Reason reason, int listed, int count) =>
        (long)reason | ((long)listed << 8) | ((long)count << 32);

    private static (Reason Reason, int Listed, int Count) UnpackReason(long w) =>
        ((Reason)(w & 0xFF), (int)((w >> 8) & 0xFF), (int)(w >> 32));

    private static long Pair(int low, int high) => unchecked((uint)low) | ((long)high << 32);

    private static (int Low, int High) Unpair(long w) => (unchecked((int)(uint)w), (int)(w >> 32));

    /// <summary>A date as a signed 32-bit value in the low half of a word (any year NodaTime allows).</summary>
    private static long Pack(LocalDate d) => unchecked((uint)((d.Year << 9) | (d.Month << 5) | d.Day));

    private static LocalDate Unpack(long w0)
    {
        var v = unchecked((int)(uint)w0);
        return new LocalDate(v >> 9, (v >> 5) & 0xF, v & 0x1F);
    }

    /// <summary>Status codes: 0 none, else the application status + 1.</summary>
    public static byte StatusCode(State.ApplicationStatus status) => (byte)((int)status + 1);

    public static string StatusText(byte code) => ((State.ApplicationStatus)(code - 1)) switch
    {
        State.ApplicationStatus.Waiting => "waiting",
        State.ApplicationStatus.Offered => "offered",
        State.ApplicationStatus.Accepted => "accepted",
        State.ApplicationStatus.Enrolled => "enrolled",
        State.ApplicationStatus.Paused => "paused",
        State.ApplicationStatus.Withdrawn => "withdrawn",
        _ => "archived",
    };
}
