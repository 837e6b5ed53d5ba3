using System.Collections.Immutable;
using NodaTime;

namespace KinderQueue.Core.Public;

/// <summary>
/// Why a position changed (SPEC.md §12.3). The order of this list is the order in which reasons
/// are listed inside a step. The first six are the "coalescible" reasons: changes made only of
/// them on one local date merge into one step (§12.5).
/// </summary>
public static class PositionReasons
{
    /// <summary>A new application entered ahead (higher tier, or same tier and an earlier registration instant).</summary>
    public const string NewAhead = "new-ahead";
    /// <summary>A claim of an application behind was verified and moved it ahead.</summary>
    public const string RightVerified = "right-verified";
    /// <summary>A claim of an application ahead was rejected and it fell behind.</summary>
    public const string RightRejected = "right-rejected";
    /// <summary>Another application added or removed this kindergarten, or moved to or from this group and year.</summary>
    public const string Preferences = "preferences";
    /// <summary>An application ahead was withdrawn.</summary>
    public const string Withdrawn = "withdrawn";
    /// <summary>An application declined or let an offer expire and came back ahead (criteria: requeue).</summary>
    public const string Returned = "returned";
    /// <summary>An application ahead got an offer in a round (at any kindergarten).</summary>
    public const string Placed = "placed";
    /// <summary>An application ahead was archived by a round (it reached the archive age).</summary>
    public const string Archived = "archived";
    /// <summary>An application ahead was enrolled outside the algorithm (an exceptional enrolment).</summary>
    public const string EnrolledOutside = "enrolled-outside";
    /// <summary>A criteria version took effect.</summary>
    public const string Criteria = "criteria";
    /// <summary>The kindergarten was re-registered (its catchment decides the catchment tier).</summary>
    public const string Catchment = "catchment";
    /// <summary>The date moved: enrolment years, age groups and archive ages follow the calendar.</summary>
    public const string Calendar = "calendar";
    /// <summary>Context, no position change: the seats of this kindergarten's program for the group and year changed.</summary>
    public const string Capacity = "capacity";
    /// <summary>The application itself was submitted and joined the queue.</summary>
    public const string OwnSubmitted = "own-submitted";
    /// <summary>A claim of the application itself was reviewed and its tier here changed.</summary>
    public const string OwnRight = "own-right";
    /// <summary>The application itself changed its preferences or desired start.</summary>
    public const string OwnPreferences = "own-preferences";
    /// <summary>The application itself came back after declining or letting an offer expire.</summary>
    public const string OwnReturned = "own-returned";
    /// <summary>The application itself left the queue: offered, archived, withdrawn or enrolled (see the step's status).</summary>
    public const string OwnStatus = "own-status";

    /// <summary>Every reason, in the order reasons are listed in a step.</summary>
    public static readonly ImmutableArray<string> All =
    [
        NewAhead, RightVerified, RightRejected, Preferences, Withdrawn, Returned, Placed, Archived, EnrolledOutside,
        Criteria, Catchment, Calendar, Capacity, OwnSubmitted, OwnRight, OwnPreferences, OwnReturned, OwnStatus,
    ];

    /// <summary>Reasons whose changes of one local date merge into one step (the first six of <see cref="All"/>).</summary>
    public static bool IsCoalescible(string reason) =>
        reason is NewAhead or RightVerified or RightRejected or Preferences or Withdrawn or Returned;

    /// <summary>The most entry sequence numbers listed per reason of a step; the rest are counted in <c>more</c>.</summary>
    public const int ListedSeqs = 20;
}

/// <summary>One reason of a step: its signed share of the change and the log entries behind it.</summary>
/// <param name="Count">Signed change of the position attributed to this reason (0 for own and context reasons on entering or leaving).</param>
/// <param name="Seqs">The first <see cref="PositionReasons.ListedSeqs"/> distinct entry sequence numbers, ascending.</param>
/// <param name="More">How many further distinct entries are behind this reason.</param>
public sealed record StepReason(string Reason, int Count, ImmutableArray<long> Seqs, int More);

/// <summary>Seats of the program (kindergarten, group, year) before and after a capacity load; null before: no row yet.</summary>
public sealed record SeatChange(int? Before, int After);

/// <summary>
/// One step of a position history at one kindergarten (SPEC.md §12.4). <see cref="Before"/> and
/// <see cref="After"/> are positions (null: not in the queue); when both are present, After −
/// Before is the sum of the reasons' counts. Group, year and tier describe the queue after the
/// step (before it, if the application left).
/// </summary>
public sealed record PositionStep(
    LocalDate Date,
    long? FirstSeq,
    long? LastSeq,
    int? Before,
    int? After,
    string Group,
    int Year,
    string Tier,
    ImmutableArray<StepReason> Reasons,
    string? Status,
    SeatChange? Seats);

/// <summary>The steps of one application at one kindergarten, oldest first.</summary>
/// <param name="Listed">Whether the application lists the kindergarten now.</param>
public sealed record KindergartenHistory(string Kindergarten, bool Listed, ImmutableArray<PositionStep> Steps);

/// <summary>
/// The history of an application's positions: one list of steps per kindergarten it lists now
/// (in preference order), then per kindergarten it listed before (ordinal), as of <see cref="AsOf"/>
/// after the first <see cref="Size"/> log entries.
/// </summary>
public sealed record PositionHistory(string Number, LocalDate AsOf, long Size, ImmutableArray<KindergartenHistory> Kindergartens);
