namespace KinderQueue.Api.Auth;

/// <summary>
/// Who may do what. Department work is split so that no one role can both load seats and decide
/// who gets them; parents and service-centre operators apply; validators read audit data.
/// </summary>
public static class Roles
{
    /// <summary>Department: criteria, districts, kindergartens, capacity, private-data erasure.</summary>
    public const string Registrar = "registrar";
    /// <summary>Department: verifies or rejects priority claims against documents.</summary>
    public const string Verifier = "verifier";
    /// <summary>Department: runs allocation rounds, records offer responses, expiries and enrolments.</summary>
    public const string Allocator = "allocator";
    /// <summary>Service-centre (MFC) operator applying on a parent's behalf.</summary>
    public const string Operator = "operator";
    /// <summary>A parent, authenticated by the region's identity provider.</summary>
    public const string Parent = "parent";
    /// <summary>An authorised auditor (NGO, public chamber): may check private records against commitments.</summary>
    public const string Validator = "validator";
    /// <summary>The federal portal's service account: pushes the applications parents make there (deploy/FEDERAL-PORTAL.md).</summary>
    public const string FederalPortal = "federal-portal";

    /// <summary>
    /// Department's internal control: reviews anomaly signals and publishes their explanations
    /// (issue 13). Not a role whose actions raise signals (registrar, verifier, allocator), so nobody
    /// explains away their own irregularity.
    /// </summary>
    public const string Inspector = "inspector";

    public static readonly IReadOnlyList<string> All = [Registrar, Verifier, Allocator, Operator, Parent, Validator, FederalPortal, Inspector];
}
