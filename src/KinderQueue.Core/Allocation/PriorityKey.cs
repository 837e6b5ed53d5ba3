using NodaTime;

namespace KinderQueue.Core.Allocation;

/// <summary>
/// An applicant's priority at one program (SPEC.md §7.2): tier rank (0 best), then registration
/// instant, then the log sequence number of the application. Smaller is better. Sequence
/// numbers are unique, so two applicants never compare equal and the order is total.
/// </summary>
public readonly record struct PriorityKey(int TierRank, Instant RegisteredAt, long Seq) : IComparable<PriorityKey>
{
    public int CompareTo(PriorityKey other)
    {
        var c = TierRank.CompareTo(other.TierRank);
        if (c != 0) return c;
        c = RegisteredAt.CompareTo(other.RegisteredAt);
        return c != 0 ? c : Seq.CompareTo(other.Seq);
    }

    public static bool operator <(PriorityKey a, PriorityKey b) => a.CompareTo(b) < 0;
    public static bool operator >(PriorityKey a, PriorityKey b) => a.CompareTo(b) > 0;
    public static bool operator <=(PriorityKey a, PriorityKey b) => a.CompareTo(b) <= 0;
    public static bool operator >=(PriorityKey a, PriorityKey b) => a.CompareTo(b) >= 0;
}
