using System.Collections.Immutable;
using NodaTime;

namespace KinderQueue.Core.Public;

/// <summary>
/// Why a count is not published (SPEC.md §13.4). The marker is part of the published data: it
/// tells readers, and any attacker, exactly what is known about the hidden value. Zeros are always
/// published, so a hidden count is at least 1.
/// </summary>
public enum CountMarker
{
    /// <summary>Published: the value is exact.</summary>
    None,
    /// <summary>"&lt;5": the value is 1..4.</summary>
    LessThanFive,
    /// <summary>
    /// "hidden": the value is at least 1 and not shown, so that no small count can be recovered from
    /// the published ones. It may be a count of 5 or more, or a small one whose "&lt;5" label was withdrawn.
    /// </summary>
    Hidden,
}

/// <summary>A published count of applications: the exact value, or null with the marker that says why.</summary>
public readonly record struct Count(long? Value, CountMarker Marker)
{
    public static Count Exact(long value) => new(value, CountMarker.None);

    public bool IsSuppressed => Marker != CountMarker.None;
}

/// <summary>One count split by tier (in the order of <see cref="Dashboard.Tiers"/>) and its total.</summary>
public sealed record TierCounts(ImmutableArray<Count> ByTier, Count Total);

/// <summary>The four queue measures of one row (SPEC.md §13.2).</summary>
public sealed record QueueCounts(TierCounts WaitingNow, TierCounts WaitingLater, TierCounts Offered, TierCounts Enrolled);

/// <summary>The queue of one age group at one kindergarten; seats are capacity, not people, and are never suppressed.</summary>
public sealed record KindergartenRow(string Kindergarten, string District, string Group, int? Seats, int? SeatsNextYear, QueueCounts Counts);

/// <summary>Applications of one age group by district of residence, each counted once.</summary>
public sealed record DistrictRow(string District, string Group, QueueCounts Counts);

/// <summary>The whole region, one age group.</summary>
public sealed record GroupRow(string Group, QueueCounts Counts);

/// <summary>
/// Queue dynamics of one calendar month (local dates of the entries). The month of <c>asOf</c> is
/// published too, not <see cref="Complete"/>: its flows so far and the current waiting count.
/// Exact: counts of entries that the log publishes one by one, split by nothing about a child
/// (SPEC.md §13.4).
/// </summary>
public sealed record MonthRow(
    YearMonth Month,
    bool Complete,
    long Submitted,
    long Offers,
    long Declined,
    long Expired,
    long Enrolments,
    long Withdrawals,
    long WaitingAtEnd);

/// <summary>
/// The share of enrolments by the algorithm, in basis points (1/100 of a percent, rounded down so
/// that 98 % is never reached by rounding), and whether it reaches <see cref="Dashboard.TargetShare"/>.
/// </summary>
public readonly record struct Share(int BasisPoints, bool Met);

/// <summary>Enrolments of one enrolment year: after an offer (the algorithm) or outside it (a legal exception). Exact.</summary>
public sealed record EnrolmentYearRow(int Year, long ByAlgorithm, long Exceptional, Share? Share);

/// <summary>
/// How many of the enrolments outside the algorithm rest on one legal basis, with the basis's
/// published name (from the latest criteria that list it), or null for a basis written as text
/// before the criteria published the list (SPEC.md §4.6).
/// </summary>
public sealed record LegalBasisCount(string Basis, long Enrolments, Criteria.LocalizedName? Name);

/// <summary>All enrolments since the log began, exact, with the enrolments outside the algorithm per legal basis.</summary>
public sealed record EnrolmentTotals(long ByAlgorithm, long Exceptional, Share? Share, ImmutableArray<LegalBasisCount> LegalBases);

/// <summary>Days from the later of registration and desired start to the start of the first offered seat.</summary>
public sealed record WaitingTime(string? District, int? MedianDays, int? P90Days);

/// <summary>Submissions of one channel and how many of them carry a registration instant earlier than their entry. Exact.</summary>
public sealed record ChannelRow(string Channel, long Submitted, long Backdated);

/// <summary>Capacity reductions of a round's enrolment year loaded within the window before the round (SPEC.md §13.3).</summary>
public sealed record CapacityCutRow(string Round, LocalDate Date, int Year, int Programs, long Seats);

public sealed record RegisteredDistrict(string Id, string Name);

public sealed record RegisteredKindergarten(string Id, string Name, string District);

/// <summary>
/// The anonymised public dashboard of a region (SPEC.md §13): queue tables by kindergarten, age
/// group and tier with small cells suppressed, and exact figures of what the log publishes entry
/// by entry (enrolments by the algorithm and outside it, their share, queue dynamics, channels),
/// waiting times and two anomaly signals. Every figure is a function of the public log and
/// <see cref="AsOf"/>; <see cref="DashboardJson"/> writes its one canonical form.
/// </summary>
public sealed record Dashboard(
    LocalDate AsOf,
    long Basis,
    string? Criteria,
    int? Year,
    ImmutableArray<string> Tiers,
    ImmutableArray<string> Groups,
    ImmutableArray<RegisteredDistrict> Districts,
    ImmutableArray<RegisteredKindergarten> Kindergartens,
    ImmutableArray<KindergartenRow> ByKindergarten,
    ImmutableArray<DistrictRow> ByDistrict,
    ImmutableArray<GroupRow> ByGroup,
    QueueCounts? Region,
    ImmutableArray<MonthRow> Months,
    ImmutableArray<EnrolmentYearRow> EnrolmentYears,
    EnrolmentTotals EnrolmentsAllTime,
    LocalDate WaitingFrom,
    ImmutableArray<WaitingTime> WaitingTimes,
    ImmutableArray<ChannelRow> Channels,
    ImmutableArray<CapacityCutRow> CapacityCuts)
{
    /// <summary>No published queue-table count lies in 1..(Threshold − 1) unless the exact figures determine it.</summary>
    public const int Threshold = 5;

    /// <summary>The brief's success metric: at least 98 % of enrolments by the algorithm, in basis points.</summary>
    public const int TargetShare = 9800;

    /// <summary>A capacity reduction counts as "shortly before" a round when loaded up to this many days before its date.</summary>
    public const int CapacityCutWindowDays = 7;

    /// <summary>A median needs at least this many values; the 90th percentile needs <see cref="MinimumForP90"/>.</summary>
    public const int MinimumForMedian = 5;

    /// <summary>Below ten values the nearest-rank 90th percentile is the maximum: one child's exact wait.</summary>
    public const int MinimumForP90 = 10;
}
