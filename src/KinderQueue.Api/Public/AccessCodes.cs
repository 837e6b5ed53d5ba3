using System.Collections.Concurrent;
using KinderQueue.Api.Commands;
using KinderQueue.Storage;

namespace KinderQueue.Api.Public;

/// <summary>
/// Checks an application number and access code for the public lookup. The salted hash of the
/// code is read from the private store once and then kept in memory, so that a parent refreshing
/// their page on launch day costs a hash, not a database round trip. Only known numbers are
/// remembered (a guess at a number that does not exist cannot fill the cache), and the cache is
/// bounded: past its limit it starts again empty.
/// </summary>
public sealed class AccessCodes(ILogStore store)
{
    /// <summary>Numbers remembered at most (about 100 bytes each).</summary>
    public const int Capacity = 200_000;

    private static readonly byte[] DecoySalt = new byte[16];
    private static readonly byte[] DecoyHash = new byte[32];
    private readonly ConcurrentDictionary<string, Secret> _known = new(StringComparer.Ordinal);

    private sealed record Secret(byte[] Salt, byte[] Hash, bool Erased);

    /// <summary>
    /// True only when the number exists, its personal data was not erased and the code matches.
    /// Every "no" costs the same hash, whatever the reason, and the caller answers all of them alike.
    /// </summary>
    public async ValueTask<bool> MatchesAsync(string number, string code, CancellationToken ct)
    {
        if (!_known.TryGetValue(number, out var secret) && IsPlausibleNumber(number))
        {
            var record = await store.GetPrivateAsync(number, ct).ConfigureAwait(false);
            if (record is not null)
            {
                secret = new Secret(record.Salt, record.AccessHash, record.Record is null);
                if (_known.Count >= Capacity) _known.Clear();
                _known[number] = secret;
            }
        }
        var matches = Secrets.AccessCodeMatches(secret?.Salt ?? DecoySalt, secret?.Hash ?? DecoyHash, code);
        return matches && secret is { Erased: false };
    }

    /// <summary>Forgets what was read, e.g. after an erasure, so the next lookup reads the store again.</summary>
    public void Forget(string number) => _known.TryRemove(number, out _);

    // Application numbers are at most 32 characters of A–Z, 0–9 and '-' (SPEC.md §8.3); anything else cannot exist.
    private static bool IsPlausibleNumber(string number) =>
        number.Length is > 0 and <= 32 && number.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-');
}
