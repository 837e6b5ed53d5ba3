using System.Collections.Immutable;
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

/// <summary>
/// The published, versioned allocation criteria of one region (SPEC.md §4). Tiers are ordered
/// best first; the last tier is the default ("general") that everyone has everywhere.
/// </summary>
public sealed record CriteriaDocument(
    string Version,
    LocalDate EffectiveFrom,
    string TimeZone,
    int MaxPreferences,
    AgeRule AgeRule,
    ImmutableArray<PriorityTier> Tiers,
    ImmutableArray<PriorityCategory> Categories,
    OfferRules Offer)
{
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
