using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;

namespace KinderQueue.Api.Auth;

/// <summary>
/// The actor recorded in the log: role and a pseudonym (keyed hash), never a name (SPEC.md §6.1).
/// Staff keep one pseudonym per account, so a validator can count what one account did without
/// learning who it is (accountability). A parent gets one pseudonym per application: the same on
/// every entry of that application, different on another one, so no public field links the
/// applications of one family (the number already links one application's own entries).
/// </summary>
public sealed class Pseudonyms(byte[] key)
{
    /// <summary>The account's stable pseudonym: staff actors, and private scopes (ownership, idempotency keys).</summary>
    public string Of(string subject) => Hex(Encoding.UTF8.GetBytes(subject));

    /// <summary>"role:pseudonym" for the role under which the caller acts on this endpoint.</summary>
    public string Actor(ClaimsPrincipal user, string role) => $"{role}:{Of(Subject(user))}";

    /// <summary>
    /// The actor of an entry about <paramref name="application"/>: for a parent, a pseudonym of
    /// (account, application); for staff, the account's stable one.
    /// </summary>
    public string Actor(ClaimsPrincipal user, string role, string application) =>
        role == Roles.Parent ? $"{role}:{Hex(Encoding.UTF8.GetBytes($"parent-application\0{application}\0{Subject(user)}"))}" : Actor(user, role);

    /// <summary>
    /// The parent actor of an application answered by whoever holds its number and access code, with
    /// no account (the public offer response): a pseudonym of the application alone, so it is stable
    /// across that application's entries and differs from every other application's (SPEC.md §6.1).
    /// Used only when the application has no parent actor yet: one filed by a parent keeps the
    /// actor of its submission.
    /// </summary>
    public string CodeHolder(string application) => $"{Roles.Parent}:{Hex(Encoding.UTF8.GetBytes($"parent-access-code\0{application}"))}";

    public static string Subject(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub") ?? user.Identity?.Name ?? "anonymous";

    private string Hex(byte[] message) => Convert.ToHexStringLower(HMACSHA256.HashData(key, message).AsSpan(0, 8));
}
