using System.Security.Cryptography;
using KinderQueue.Api.Auth;
using Microsoft.IdentityModel.Tokens;

namespace KinderQueue.Api.Tests;

/// <summary>The token cache saves signature checks without ever accepting what validation would refuse.</summary>
public sealed class ValidatedTokenCacheTests
{
    private sealed class Clock(DateTime now) : TimeProvider
    {
        public DateTime Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => new(Now);
    }

    private static (TokenIssuer Issuer, TokenValidationParameters Parameters) Keys()
    {
        var key = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        return (new TokenIssuer(key), new TokenValidationParameters
        {
            ValidIssuer = TokenIssuer.Issuer,
            ValidAudience = TokenIssuer.Audience,
            IssuerSigningKey = key,
            // The handler checks lifetimes against the real clock; the tokens below are issued now.
            ClockSkew = TimeSpan.Zero,
        });
    }

    [Fact]
    public async Task SameToken_IsValidAgain_WithItsOwnIdentityCopy()
    {
        var (issuer, parameters) = Keys();
        var cache = new ValidatedTokenCache(new Clock(DateTime.UtcNow)) { MapInboundClaims = false };
        var token = issuer.Issue("alice", [Roles.Operator], TimeSpan.FromHours(1), DateTime.UtcNow);

        var first = await cache.ValidateTokenAsync(token, parameters);
        var second = await cache.ValidateTokenAsync(token, parameters);

        first.IsValid.Should().BeTrue();
        second.IsValid.Should().BeTrue();
        second.ClaimsIdentity.Should().NotBeSameAs(first.ClaimsIdentity);
        second.ClaimsIdentity.FindFirst("sub")!.Value.Should().Be("alice");
    }

    [Fact]
    public async Task TamperedOrForeignToken_IsRefused_EvenAfterTheGenuineOneWasCached()
    {
        var (issuer, parameters) = Keys();
        var (foreign, _) = Keys();
        var cache = new ValidatedTokenCache { MapInboundClaims = false };
        var token = issuer.Issue("alice", [Roles.Operator], TimeSpan.FromHours(1), DateTime.UtcNow);
        (await cache.ValidateTokenAsync(token, parameters)).IsValid.Should().BeTrue();

        var tampered = token[..^3] + (token[^3] == 'A' ? "B" : "A") + token[^2..];
        (await cache.ValidateTokenAsync(tampered, parameters)).IsValid.Should().BeFalse();
        var other = foreign.Issue("alice", [Roles.Registrar], TimeSpan.FromHours(1), DateTime.UtcNow);
        (await cache.ValidateTokenAsync(other, parameters)).IsValid.Should().BeFalse();
    }

    [Fact]
    public async Task CachedEntry_ExpiresAfterMaxAge_AndIsValidatedAgain()
    {
        var (issuer, parameters) = Keys();
        var clock = new Clock(DateTime.UtcNow);
        var cache = new ValidatedTokenCache(clock) { MapInboundClaims = false };
        var token = issuer.Issue("alice", [Roles.Operator], TimeSpan.FromHours(1), DateTime.UtcNow);
        (await cache.ValidateTokenAsync(token, parameters)).IsValid.Should().BeTrue();

        // After MaxAge the cache asks the real validation again: with the key gone, the token is refused.
        clock.Now += ValidatedTokenCache.MaxAge + TimeSpan.FromSeconds(1);
        var rotated = parameters.Clone();
        rotated.IssuerSigningKey = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        (await cache.ValidateTokenAsync(token, rotated)).IsValid.Should().BeFalse();
    }
}
