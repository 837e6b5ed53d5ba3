using System.Collections.Immutable;
using System.Security.Cryptography;
using KinderQueue.Core.Log;

namespace KinderQueue.Core.Signals;

/// <summary>The rules of SPEC.md §17.3, by their published names, in the published order.</summary>
public static class SignalKinds
{
    public const string CapacityCutBeforeRound = "capacity-cut-before-round";
    public const string BackdatedRegistrations = "backdated-registrations";
    public const string ClaimBurstStaff = "claim-burst-staff";
    public const string ClaimBurstKindergarten = "claim-burst-kindergarten";
    public const string ClaimVerifiedBeforeOffer = "claim-verified-before-offer";
    public const string CapacityNotLoaded = "capacity-not-loaded";
    public const string ExceptionalEnrolments = "exceptional-enrolments";
    public const string StaffChangesBeforeRound = "staff-changes-before-round";
    public const string MassPositionLoss = "mass-position-loss";

    public static readonly ImmutableArray<string> All =
    [
        CapacityCutBeforeRound, BackdatedRegistrations, ClaimBurstStaff, ClaimBurstKindergarten, ClaimVerifiedBeforeOffer,
        CapacityNotLoaded, ExceptionalEnrolments, StaffChangesBeforeRound, MassPositionLoss,
    ];

    /// <summary>Position of a kind in <see cref="All"/>: signals raised at one entry are listed in this order.</summary>
    public static int Order(string kind) => All.IndexOf(kind);
}

/// <summary>The public status of a signal (SPEC.md §17.6) and its allowed transitions.</summary>
public static class SignalStatuses
{
    public const string New = "new";
    public const string Investigating = "investigating";
    public const string Explained = "explained";
    public const string Confirmed = "confirmed";

    public static readonly ImmutableArray<string> All = [New, Investigating, Explained, Confirmed];

    /// <summary>The statuses a review can move a signal to (a signal is never moved back to new).</summary>
    public static readonly ImmutableArray<string> Reviewed = [Investigating, Explained, Confirmed];

    /// <summary>new → investigating | explained | confirmed; investigating → the same three; explained and confirmed are final.</summary>
    public static bool CanMove(string from, string to) =>
        (from == New || from == Investigating) && Reviewed.Contains(to);

    public static bool IsFinal(string status) => status is Explained or Confirmed;
}

/// <summary>Signal ids (SPEC.md §17.4): a hash of what the signal is about, so the same log always gives the same ids.</summary>
public static class SignalIds
{
    public const string Prefix = "sig-";

    /// <summary><c>"sig-"</c> + the first 16 lower-case hex digits of SHA-256(UTF-8 of kind + "\n" + the subject's canonical key).</summary>
    public static string Of(string kind, SignalSubject subject)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(subject);
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(kind + "\n" + subject.Key()));
        return Prefix + Hex.Encode(hash.AsSpan(0, 8));
    }

    public static bool IsValid(string id) =>
        id.Length == Prefix.Length + 16 && id.StartsWith(Prefix, StringComparison.Ordinal) && IsLowerHex(id.AsSpan(Prefix.Length));

    public static bool IsSha256Hex(string value) => value.Length == 64 && IsLowerHex(value);

    private static bool IsLowerHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f')) return false;
        }
        return true;
    }
}
