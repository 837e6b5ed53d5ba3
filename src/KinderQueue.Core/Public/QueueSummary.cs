using System.Collections.Immutable;

namespace KinderQueue.Core.Public;

/// <summary>Members of one queue with one tier.</summary>
public sealed record TierCount(string Tier, int Count);

/// <summary>One queue (kindergarten, group, enrolment year) between rounds: its length and members per tier, best tier first.</summary>
public sealed record QueueSummary(string Kindergarten, string Group, int Year, int Total, ImmutableArray<TierCount> Tiers);
