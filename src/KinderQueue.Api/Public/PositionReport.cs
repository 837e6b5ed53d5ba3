using KinderQueue.Core.Allocation;
using KinderQueue.Core.State;

namespace KinderQueue.Api.Public;

// The parent's view of one application (SPEC.md §14.2), for the OpenAPI document: PositionReportJson writes
// it as canonical JSON with these names (keys in ordinal order). Dates are yyyy-MM-dd, instants as in the
// log; nothing here is more than the log already publishes about the application, plus aggregates.

public sealed record PositionReport(
    string Number,
    string Status,
    ReportAsOf AsOf,
    long Seq,
    string RegisteredAt,
    string Channel,
    string District,
    string DesiredStart,
    IReadOnlyList<ClaimView> Claims,
    OfferView? Offer,
    PlacementView? Placement,
    IReadOnlyList<QueueView> Queues,
    IReadOnlyList<FormerQueueView> FormerQueues,
    ProjectionView? Projection,
    IReadOnlyList<KindergartenBrief> Kindergartens);

/// <summary>The date positions are computed for and the log size they include.</summary>
public sealed record ReportAsOf(string Date, long LogSize);

/// <summary>A claimed right as published: the tier (never the category) and its review: pending, verified or rejected.</summary>
public sealed record ClaimView(string Tier, string? Kindergarten, string Review);

public sealed record OfferView(string Kindergarten, string KindergartenName, string Group, int Year, string Deadline);

public sealed record PlacementView(string Kindergarten, string KindergartenName, string Group, int Year, bool OutsideAlgorithm);

/// <summary>The application's place in one listed kindergarten's queue, with how it got there.</summary>
public sealed record QueueView(string Kindergarten, string KindergartenName, string? Group, int? Year, string? From, int? Position, int? Total,
    string? Tier, IReadOnlyList<StepView> History);

/// <summary>A kindergarten listed before and no longer, with its history up to then.</summary>
public sealed record FormerQueueView(string Kindergarten, string KindergartenName, IReadOnlyList<StepView> History);

/// <summary>One step of a position history (SPEC.md §12.4): after − before is the sum of the reasons' counts.</summary>
public sealed record StepView(string Date, long? FirstSeq, long? LastSeq, int? Before, int? After, string Group, int Year, string Tier,
    IReadOnlyList<ReasonView> Reasons, string? Status, SeatsView? Seats);

public sealed record ReasonView(string Reason, int Count, IReadOnlyList<long> Seqs, int More);

public sealed record SeatsView(int? Before, int After);

/// <summary>What the allocation would give if it ran today on the current log (SPEC.md §7.6), and why.</summary>
public sealed record ProjectionView(string Date, string Status, string? Kindergarten, string? Group, IReadOnlyList<ProjectedPreference> Preferences);

public sealed record ProjectedPreference(string Kindergarten, string Outcome, int Seats, KeyView? Own, KeyView? LastAdmitted);

/// <summary>A priority key as people read it: tier, registration instant, log position, and place among that tier.</summary>
public sealed record KeyView(string Tier, string RegisteredAt, long Seq, int RankInTier);

/// <summary>The words the reports use for statuses and outcomes.</summary>
public static class PositionReports
{
    public static string Status(ApplicationStatus status) => status.ToString().ToLowerInvariant();

    public static string Status(RoundStatus status) => status switch
    {
        RoundStatus.Offered => "offered",
        RoundStatus.Waitlisted => "waitlisted",
        RoundStatus.Deferred => "deferred",
        RoundStatus.Archived => "archived",
        _ => "no-age-group",
    };

    public static string Outcome(PreferenceOutcome o) => o switch
    {
        PreferenceOutcome.Offered => "offered",
        PreferenceOutcome.Outranked => "outranked",
        PreferenceOutcome.NoSeats => "no-seats",
        _ => "no-program",
    };
}
