using Microsoft.IdentityModel.Tokens;

namespace KinderQueue.Api.Auth;

/// <summary>
/// Bearer-token validation that remembers tokens it has validated. Checking an ES256 signature
/// costs about 50 µs of CPU, on every request; a service-centre operator or a parent sends the same
/// token for hours. The key is the whole token, signature included, so only a byte-identical token
/// hits; an entry lives until the token expires and at most <see cref="MaxAge"/>; failures are never
/// remembered; every hit gets its own copy of the identity. The validation parameters of this service
/// are fixed, except the signing keys an OIDC issuer publishes: MaxAge bounds how long a change of
/// those takes to apply to a token already seen.
/// </summary>
public sealed class ValidatedTokenCache : Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    private const int MaxEntries = 10_000;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public ValidatedTokenCache(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (_entries.TryGetValue(token, out var hit))
        {
            if (now < hit.Until) return hit.Result();
            _entries.TryRemove(token, out _);
        }
        var result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (result.IsValid && result.ClaimsIdentity is not null && result.SecurityToken is { } validated)
        {
            var until = validated.ValidTo == DateTime.MinValue ? now + MaxAge : Min(validated.ValidTo, now + MaxAge);
            if (_entries.Count >= MaxEntries) _entries.Clear();
            _entries[token] = new Entry(until, result.ClaimsIdentity.Clone(), validated);
        }
        return result;
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private sealed record Entry(DateTime Until, System.Security.Claims.ClaimsIdentity Identity, SecurityToken Token)
    {
        public TokenValidationResult Result() => new()
        {
            IsValid = true,
            ClaimsIdentity = Identity.Clone(),
            SecurityToken = Token,
        };
    }
}
