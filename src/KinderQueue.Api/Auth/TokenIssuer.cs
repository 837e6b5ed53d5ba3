using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace KinderQueue.Api.Auth;

/// <summary>Mints bearer tokens signed by the local key: the embedded default's stand-in for the region's identity provider.</summary>
public sealed class TokenIssuer(SecurityKey signingKey)
{
    public const string Issuer = "kinderqueue-local";
    public const string Audience = "kinderqueue";

    public string Issue(string subject, IEnumerable<string> roles, TimeSpan lifetime, DateTime nowUtc)
    {
        var claims = new List<Claim> { new("sub", subject) };
        claims.AddRange(roles.Select(r => new Claim("role", r)));
        var token = new JwtSecurityToken(Issuer, Audience, claims, nowUtc, nowUtc + lifetime,
            new SigningCredentials(signingKey, SecurityAlgorithms.EcdsaSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }
}
