using System.Security.Cryptography;
using System.Text;
using KinderQueue.Api.Auth;

namespace KinderQueue.Api.Demo;

/// <summary>
/// The actors of the demo's history, "role:pseudonym" as the service records them (SPEC.md §6.1).
/// The demo's staff are not accounts of this service, so their pseudonyms come from a key derived
/// from the seed: stable for a seed, and unlinkable to anyone's real account.
/// </summary>
internal sealed class DemoStaff
{
    /// <summary>The migration that imports the register kept before the service (the actor of the initial import).</summary>
    public const string Migration = DemoRegion.Actor;

    private readonly Pseudonyms _pseudonyms;

    public DemoStaff(ulong seed)
    {
        _pseudonyms = new Pseudonyms(SHA256.HashData(Encoding.UTF8.GetBytes($"KinderQueue demo staff pseudonyms {seed:X16}")));
        Registrar = Staff(Roles.Registrar, "registrar-1");
        Verifiers = [Staff(Roles.Verifier, "verifier-1"), Staff(Roles.Verifier, "verifier-2"), Staff(Roles.Verifier, "verifier-3")];
        BurstVerifier = Staff(Roles.Verifier, "verifier-4");
        Allocator = Staff(Roles.Allocator, "allocator-1");
        FederalPortal = Staff(Roles.FederalPortal, "federal-portal");
        Inspector = Staff("inspector", "inspector-1");
    }

    public string Registrar { get; }
    public IReadOnlyList<string> Verifiers { get; }
    /// <summary>The verifier whose evening burst of verified claims at one kindergarten the signals should catch.</summary>
    public string BurstVerifier { get; }
    public string Allocator { get; }
    public string FederalPortal { get; }
    /// <summary>The department's internal control, who answers signals.</summary>
    public string Inspector { get; }

    /// <summary>The operator of the service centre of a district.</summary>
    public string Operator(string district) => Staff(Roles.Operator, $"operator-{district}");

    /// <summary>A parent's actor: one pseudonym per application, as the service gives parents.</summary>
    public string Parent(string number) => $"{Roles.Parent}:{_pseudonyms.Of($"demo-parent\0{number}")}";

    private string Staff(string role, string account) => $"{role}:{_pseudonyms.Of($"demo-{account}")}";
}
