using System.Security.Cryptography;
using KinderQueue.Api.Auth;
using Microsoft.IdentityModel.Tokens;

namespace KinderQueue.Api.Tests.Support;

/// <summary>Someone calling the API: a role, the account subject the token carries, and the token.</summary>
public sealed record Caller(string Role, string Subject, string Token)
{
    public override string ToString() => $"{Role} ({Subject})";
}

/// <summary>
/// Bearer tokens signed with the key the service generated under its data folder, as the
/// <c>token</c> command does: one caller per role, each with its own subject, plus a second
/// parent and operator for ownership and idempotency-scope checks.
/// </summary>
public sealed class TestTokens
{
    private readonly TokenIssuer _issuer;

    public TestTokens(string dataDir)
    {
        _issuer = new TokenIssuer(new ECDsaSecurityKey(LocalKeys.LoadOrCreateEcdsa(Path.Combine(dataDir, "token-signing.pem"))));
        var run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        Registrar = Mint(Roles.Registrar, $"subject-registrar-{run}");
        Verifier = Mint(Roles.Verifier, $"subject-verifier-{run}");
        Allocator = Mint(Roles.Allocator, $"subject-allocator-{run}");
        Operator = Mint(Roles.Operator, $"subject-operator-{run}");
        Parent = Mint(Roles.Parent, $"subject-parent-{run}");
        Validator = Mint(Roles.Validator, $"subject-validator-{run}");
        FederalPortal = Mint(Roles.FederalPortal, $"subject-federal-portal-{run}");
        Inspector = Mint(Roles.Inspector, $"subject-inspector-{run}");
        OtherParent = Mint(Roles.Parent, $"subject-parent-other-{run}");
        OtherOperator = Mint(Roles.Operator, $"subject-operator-other-{run}");
    }

    public Caller Registrar { get; }
    public Caller Verifier { get; }
    public Caller Allocator { get; }
    public Caller Operator { get; }
    public Caller Parent { get; }
    public Caller Validator { get; }
    public Caller FederalPortal { get; }
    public Caller Inspector { get; }
    public Caller OtherParent { get; }
    public Caller OtherOperator { get; }

    /// <summary>One caller per role, in <see cref="Roles.All"/> order.</summary>
    public IReadOnlyList<Caller> OnePerRole => [Registrar, Verifier, Allocator, Operator, Parent, Validator, FederalPortal, Inspector];

    public IReadOnlyList<Caller> All => [.. OnePerRole, OtherParent, OtherOperator];

    public Caller ForRole(string role) => OnePerRole.Single(c => c.Role == role);

    public Caller Mint(string role, string subject, TimeSpan? lifetime = null, DateTime? issuedAtUtc = null) =>
        new(role, subject, _issuer.Issue(subject, [role], lifetime ?? TimeSpan.FromHours(1), issuedAtUtc ?? DateTime.UtcNow));
}
