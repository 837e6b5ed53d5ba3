using System.Collections.Immutable;
using KinderQueue.Core.Signals;
using NodaTime;

namespace KinderQueue.Core.Criteria;

/// <summary>A name shown to people, in Russian (the region's language) and English.</summary>
public sealed record LocalizedName(string Ru, string En);

/// <summary>Where a priority tier applies (SPEC.md §4.3).</summary>
public enum TierScope
{
    /// <summary>At every kindergarten the applicant lists.</summary>
    All,
    /// <summary>Only at the kindergarten the claim names (where a sibling attends).</summary>
    Sibling,
    /// <summary>Only at kindergartens whose catchment contains the applicant's district; needs no claim.</summary>
    Catchment,
}

/// <summary>What happens to an application when its offer is declined or expires.</summary>
public enum OfferOutcome
{
    /// <summary>Back to waiting with the original registration instant.</summary>
    Requeue,
    /// <summary>Paused until the parent changes preferences (which makes it wait again).</summary>
    Pause,
    /// <summary>Leaves the queue, as if withdrawn.</summary>
    Withdraw,
}

public sealed record PriorityTier(string Id, TierScope Scope, LocalizedName Name);

/// <summary>A benefit category: private to the applicant, published only as the tier it maps to.</summary>
public sealed record PriorityCategory(string Id, string Tier, LocalizedName Name, string LegalBasis);

/// <summary>Children whose age in full years on the cut-off date is within [MinAge, MaxAge].</summary>
public sealed record AgeGroup(string Id, int MinAge, int MaxAge, LocalizedName Name);

public sealed record AgeRule(int CutoffMonth, int CutoffDay, int ArchiveAge, ImmutableArray<AgeGroup> Groups);

public sealed record OfferRules(int DeadlineDays, OfferOutcome OnDecline, OfferOutcome OnExpiry);

/// <summary>One entry of a published code list: what a public event carries instead of typed text.</summary>
public sealed record PublishedCode(string Id, LocalizedName Name);

/// <summary>Which event field a code list serves (SPEC.md §4.6).</summary>
public enum ReasonList
{
    /// <summary><c>capacity.loaded</c> <c>reason</c>: why seats changed.</summary>
    Capacity,
    /// <summary><c>claim.reviewed</c> <c>reason</c>: the review outcome.</summary>
    ClaimReview,
    /// <summary><c>enrolment.exceptional</c> <c>legalBasis</c>: the published legal basis.</summary>
    ExceptionalBasis,
    /// <summary><c>application.withdrawn</c> <c>reason</c>: why the application left the queue.</summary>
    Withdrawal,
    /// <summary><c>signal.reviewed</c> <c>outcome</c>: what a review of an anomaly signal found (SPEC.md §17.6). Optional in a document.</summary>
    SignalOutcome,
}

/// <summary>
/// The code lists that public reasons are taken from (SPEC.md §4.6). A person's own words never
/// enter the permanent public log: an event carries a code, and a note, where one is needed,
/// stays in the private store. <see cref="None"/> is a criteria version from before the lists,
/// under which the log kept whatever text was given (so such logs still fold).
/// </summary>
public sealed record ReasonCodes(
    ImmutableArray<PublishedCode> Capacity,
    ImmutableArray<PublishedCode> ClaimReview,
    ImmutableArray<PublishedCode> ExceptionalBasis,
    ImmutableArray<PublishedCode> Withdrawal,
    ImmutableArray<PublishedCode>? SignalOutcomes = null)
{
    public static readonly ReasonCodes None = new([], [], [], []);

    public bool IsPublished => !(Capacity.IsEmpty && ClaimReview.IsEmpty && ExceptionalBasis.IsEmpty && Withdrawal.IsEmpty);

    public ImmutableArray<PublishedCode> Of(ReasonList list) => list switch
    {
        ReasonList.Capacity => Capacity,
        ReasonList.ClaimReview => ClaimReview,
        ReasonList.ExceptionalBasis => ExceptionalBasis,
        ReasonList.Withdrawal => Withdrawal,
        ReasonList.SignalOutcome => SignalOutcomes ?? [],
        _ => throw new ArgumentOutOfRangeException(nameof(list)),
    };

    public PublishedCode? Find(ReasonList list, string id) => Of(list).FirstOrDefault(c => c.Id == id);

    /// <summary>
    /// What a request gets for a value that is not a code of <paramref name="list"/>: the problem
    /// names the codes it could have used (SPEC.md §4.6). Null when the value is a published code.
    /// </summary>
    public ValidationProblem? CheckRequest(ReasonList list, string value, string path)
    {
        var codes = Of(list);
        if (codes.IsEmpty)
            return new(path, "reason.codes-unpublished", $"The criteria in force publish no '{Member(list)}' codes; nothing can be recorded until they do.");
        if (Find(list, value) is not null) return null;
        // The refused value is not repeated: it may be a person's words, and problems reach logs.
        return new(path, "reason.unknown", $"Not a published '{Member(list)}' code; use one of: {string.Join(", ", codes.Select(c => c.Id))}.{(list == ReasonList.Capacity ? "" : " Words of your own go in 'note', which stays private.")}");
    }

    /// <summary>The member name in the criteria document and the event field it serves.</summary>
    public static string Member(ReasonList list) => list switch
    {
        ReasonList.Capacity => "capacity",
        ReasonList.ClaimReview => "claimReview",
        ReasonList.ExceptionalBasis => "exceptionalBasis",
        ReasonList.Withdrawal => "withdrawal",
        ReasonList.SignalOutcome => "signalOutcome",
        _ => throw new ArgumentOutOfRangeException(nameof(list)),
    };
}

/// <summary>
/// The published, versioned allocation criteria of one region (SPEC.md §4). Tiers are ordered
/// best first; the last tier is the default ("general") that everyone has everywhere.
/// <see cref="Signals"/> holds the published thresholds of the anomaly rules (SPEC.md §17.2); a
/// version without them raises no signals.
/// </summary>
public sealed record CriteriaDocument(
    string Version,
    LocalDate EffectiveFrom,
    string TimeZone,
    int MaxPreferences,
    AgeRule AgeRule,
    ImmutableArray<PriorityTier> Tiers,
    ImmutableArray<PriorityCategory> Categories,
    OfferRules Offer,
    ReasonCodes? Reasons = null,
    SignalThresholds? Signals = null)
{
    /// <summary>The published code lists; <see cref="ReasonCodes.None"/> for a version written before them.</summary>
    public ReasonCodes ReasonCodes => Reasons ?? ReasonCodes.None;

    public PriorityTier DefaultTier => Tiers[^1];


    /// <summary>Rank of a tier: 0 is the best. -1 when the tier is unknown.</summary>
    public int TierRank(string tierId)
    {
        for (var i = 0; i < Tiers.Length; i++)
        {
            if (Tiers[i].Id == tierId) return i;
        }
        return -1;
    }

    public PriorityTier? FindTier(string tierId) => Tiers.FirstOrDefault(t => t.Id == tierId);

    public PriorityCategory? FindCategory(string categoryId) => Categories.FirstOrDefault(c => c.Id == categoryId);

    public AgeGroup? FindGroup(string groupId) => AgeRule.Groups.FirstOrDefault(g => g.Id == groupId);
}
