using System.Collections.Immutable;
using KinderQueue.Core.Criteria;

namespace KinderQueue.Core.Allocation;

/// <summary>
/// The tier an applicant has at a kindergarten (SPEC.md §7.1): the best of the verified claims
/// whose scope covers it, the catchment tier where the kindergarten's catchment contains the
/// applicant's district, and the default tier. Unverified claims count for nothing.
/// </summary>
public sealed class TierResolver
{
    private readonly CriteriaDocument _criteria;
    private readonly Dictionary<string, HashSet<string>> _catchments;
    private readonly int _catchmentRank;

    public TierResolver(CriteriaDocument criteria, IEnumerable<KindergartenInfo> kindergartens)
    {
        _criteria = criteria;
        _catchments = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var k in kindergartens) _catchments[k.Id] = new HashSet<string>(k.Catchment, StringComparer.Ordinal);
        _catchmentRank = int.MaxValue;
        for (var i = 0; i < criteria.Tiers.Length; i++)
        {
            if (criteria.Tiers[i].Scope == TierScope.Catchment)
            {
                _catchmentRank = i;
                break;
            }
        }
    }

    public ApplicantTiers ForApplicant(Applicant a) => ForClaims(a.District, a.Claims);

    public ApplicantTiers ForClaims(string district, ImmutableArray<ApplicantClaim> claims)
    {
        var everywhere = _criteria.Tiers.Length - 1;
        Dictionary<string, int>? sibling = null;
        foreach (var claim in claims)
        {
            if (!claim.Verified) continue;
            var rank = _criteria.TierRank(claim.Tier);
            if (rank < 0) continue;
            switch (_criteria.Tiers[rank].Scope)
            {
                case TierScope.All:
                    everywhere = Math.Min(everywhere, rank);
                    break;
                case TierScope.Sibling when claim.Kindergarten is not null:
                    sibling ??= new Dictionary<string, int>(StringComparer.Ordinal);
                    sibling[claim.Kindergarten] = sibling.TryGetValue(claim.Kindergarten, out var r) ? Math.Min(r, rank) : rank;
                    break;
                default:
                    // Catchment needs no claim: it follows from the district (below).
                    break;
            }
        }
        return new ApplicantTiers(this, district, everywhere, sibling);
    }

    public string TierId(int rank) => _criteria.Tiers[rank].Id;

    internal bool InCatchment(string kindergarten, string district) =>
        _catchmentRank != int.MaxValue && _catchments.TryGetValue(kindergarten, out var set) && set.Contains(district);

    internal int CatchmentRank => _catchmentRank;

    public readonly struct ApplicantTiers
    {
        private readonly TierResolver _resolver;
        private readonly string _district;
        private readonly int _everywhere;
        private readonly Dictionary<string, int>? _sibling;

        internal ApplicantTiers(TierResolver resolver, string district, int everywhere, Dictionary<string, int>? sibling)
        {
            _resolver = resolver;
            _district = district;
            _everywhere = everywhere;
            _sibling = sibling;
        }

        public int RankAt(string kindergarten)
        {
            var rank = _everywhere;
            if (_sibling is not null && _sibling.TryGetValue(kindergarten, out var s)) rank = Math.Min(rank, s);
            if (_resolver.InCatchment(kindergarten, _district)) rank = Math.Min(rank, _resolver.CatchmentRank);
            return rank;
        }
    }
}
