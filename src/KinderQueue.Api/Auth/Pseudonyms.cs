using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;

namespace KinderQueue.Api.Auth;

/// <summary>
/// The actor recorded in the log: role and a stable pseudonym (keyed hash of the account's
/// subject), never a name. The same account always gets the same pseudonym, so a validator can
/// count what one account did without learning who it is.
/// </summary>
public sealed class Pseudonyms(byte[] key)
{
    public string Of(string subject)
    {
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(subject));
        return Convert.ToHexStringLower(mac.AsSpan(0, 8));
    }

    /// <summary>"role:pseudonym" for the role under which the caller acts on this endpoint.</summary>
    public string Actor(ClaimsPrincipal user, string role) => $"{role}:{Of(Subject(user))}";

    public static string Subject(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub") ?? user.Identity?.Name ?? "anonymous";
}
