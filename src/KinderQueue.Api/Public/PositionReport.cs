using KinderQueue.Core.Allocation;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;

namespace KinderQueue.Api.Public;

// The parent's view of one application (SPEC.md §11.5). Dates are yyyy-MM-dd, instants as in the log;
// nothing here is more than the log already publishes about the application, plus aggregates.

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

/// <summary>One step of a position history (SPEC.md §11.4): after − before is the sum of the reasons' counts.</summary>
public sealed record StepView(string Date, long? FirstSeq, long? LastSeq, int? Before, int? After, string Group, int Year, string Tier,
    IReadOnlyList<ReasonView> Reasons, string? Status, SeatsView? Seats);

public sealed record ReasonView(string Reason, int Count, IReadOnlyList<long> Seqs, int More);

public sealed record SeatsView(int? Before, int After);

/// <summary>What the allocation would give if it ran today on the current log (SPEC.md §7.6), and why.</summary>
public sealed record ProjectionView(string Date, string Status, string? Kindergarten, string? Group, IReadOnlyList<ProjectedPreference> Preferences);

public sealed record ProjectedPreference(string Kindergarten, string Outcome, int Seats, KeyView? Own, KeyView? LastAdmitted);

/// <summary>A priority key as people read it: tier, registration instant, log position, and place among that tier.</summary>
public sealed record KeyView(string Tier, string RegisteredAt, long Seq, int RankInTier);

public static class PositionReports
{
    /// <summary>The report of an application, or null if the public model does not know the number.</summary>
    public static PositionReport? Build(PublicModel model, PublicSnapshot snapshot, string number)
    {
        var state = model.State;
        if (!state.Applications.TryGetValue(number, out var a)) return null;
        var positions = model.Queues.PositionsOf(number);
        var history = model.Queues.HistoryOf(number);
        var asOf = model.Queues.AsOf ?? state.LocalDate(a.RegisteredAt);
        string Name(string kg) => state.Kindergartens.TryGetValue(kg, out var k) ? k.Name : kg;
        IReadOnlyList<StepView> Steps(string kg) =>
            history?.Kindergartens.FirstOrDefault(h => h.Kindergarten == kg)?.Steps.Select(ToView).ToList() ?? [];

        var queues = a.Preferences.Select(kg =>
        {
            var p = positions?.Positions.FirstOrDefault(q => q.Kindergarten == kg);
            return new QueueView(kg, Name(kg), p?.Group, p?.Year, p is null ? null : Formats.Format(p.From), p?.Position, p?.Total, p?.Tier, Steps(kg));
        }).ToList();
        var former = history?.Kindergartens.Where(h => !h.Listed)
            .Select(h => new FormerQueueView(h.Kindergarten, Name(h.Kindergarten), [.. h.Steps.Select(ToView)])).ToList() ?? [];

        var placement = a.Placement;
        var offer = a.Status == ApplicationStatus.Offered && placement?.Deadline is { } deadline
            ? new OfferView(placement.Kindergarten, Name(placement.Kindergarten), placement.Group, placement.Year, Formats.Format(deadline))
            : null;
        var held = a.Status is ApplicationStatus.Accepted or ApplicationStatus.Enrolled && placement is not null
            ? new PlacementView(placement.Kindergarten, Name(placement.Kindergarten), placement.Group, placement.Year, placement.OutsideAlgorithm)
            : null;
        var projection = a.Status == ApplicationStatus.Waiting && snapshot.Projection.TryGetValue(number, out var x) ? ToView(snapshot, x) : null;
        // The age group the child queues for at each kindergarten (the placement's, once placed).
        var group = positions?.Positions.FirstOrDefault()?.Group ?? placement?.Group;
        var contexts = group is null ? [] : a.Preferences.Select(kg => snapshot.Briefs.GetValueOrDefault((kg, group))).OfType<KindergartenBrief>().ToList();

        return new PositionReport(a.Number, Status(a.Status), new ReportAsOf(Formats.Format(asOf), model.State.Size), a.Seq,
            Formats.Format(a.RegisteredAt), a.Channel, a.District, Formats.Format(a.DesiredStart),
            [.. a.Claims.Select(c => new ClaimView(c.Tier, c.Kindergarten, c.Verified switch { null => "pending", true => "verified", false => "rejected" }))],
            offer, held, queues, former, projection, contexts);
    }

    public static string Status(ApplicationStatus status) => status.ToString().ToLowerInvariant();

    private static StepView ToView(PositionStep s) =>
        new(Formats.Format(s.Date), s.FirstSeq, s.LastSeq, s.Before, s.After, s.Group, s.Year, s.Tier,
            [.. s.Reasons.Select(r => new ReasonView(r.Reason, r.Count, r.Seqs, r.More))], s.Status,
            s.Seats is null ? null : new SeatsView(s.Seats.Before, s.Seats.After));

    private static ProjectionView ToView(PublicSnapshot snapshot, ApplicantExplanation x) =>
        new(Formats.Format(snapshot.AsOf), x.Status switch
            {
                RoundStatus.Offered => "offered",
                RoundStatus.Waitlisted => "waitlisted",
                RoundStatus.Deferred => "deferred",
                RoundStatus.Archived => "archived",
                _ => "no-age-group",
            }, x.OfferedKindergarten, x.Group,
            [.. x.Preferences.Select(p => new ProjectedPreference(p.Kindergarten, Outcome(p.Outcome), p.Seats, Key(p.Own), Key(p.LastAdmitted)))]);

    private static string Outcome(PreferenceOutcome o) => o switch
    {
        PreferenceOutcome.Offered => "offered",
        PreferenceOutcome.Outranked => "outranked",
        PreferenceOutcome.NoSeats => "no-seats",
        _ => "no-program",
    };

    private static KeyView? Key(RankedKey? k) => k is null ? null : new KeyView(k.Tier, Formats.Format(k.RegisteredAt), k.Seq, k.RankInTier);
}
