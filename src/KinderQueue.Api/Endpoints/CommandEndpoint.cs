using System.Security.Claims;
using KinderQueue.Api.Auth;
using KinderQueue.Storage.Appending;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KinderQueue.Api.Endpoints;

/// <summary>The steps every command endpoint shares: who is acting, the idempotency key, and turning a result into a response.</summary>
public static class CommandEndpoint
{
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>The first of <paramref name="allowed"/> the caller holds: the role the entry records.</summary>
    public static string RoleOf(ClaimsPrincipal user, params string[] allowed) =>
        allowed.FirstOrDefault(user.IsInRole) ?? throw new InvalidOperationException("Authorization let through a caller without an allowed role.");

    /// <summary>The client's Idempotency-Key scoped to the actor (two accounts never share keys), or a problem if it is malformed.</summary>
    public static (string? Key, ProblemHttpResult? Problem) IdempotencyKey(HttpRequest request, string actor)
    {
        if (!request.Headers.TryGetValue(IdempotencyHeader, out var values)) return (null, null);
        var key = values.ToString();
        if (key.Length is 0 or > 128 || key.Any(c => c < 0x21 || c > 0x7E))
            return (null, ApiProblems.Validation("$header.Idempotency-Key", "request.idempotency-key", "Idempotency-Key must be 1–128 printable ASCII characters."));
        return ($"{actor}|{key}", null);
    }

    /// <summary>Marks a route as a command that takes an Idempotency-Key, so OpenAPI documents the header (IdempotencyKeyParameter).</summary>
    public static TBuilder AcceptsIdempotencyKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(IdempotentCommand.Instance);

    public static async Task<IResult> ExecuteAsync(LiveLog log, ICommand command, int successStatus, CancellationToken ct)
    {
        var result = await log.ExecuteAsync(command, ct);
        return result.Accepted ? new StoredJsonResult(successStatus, result.Response!, result.Replayed) : ApiProblems.From(result);
    }

    /// <summary>
    /// Builds and runs a command from the actor and key; refuses early on a malformed key. With
    /// <paramref name="application"/>, a parent acts under that application's pseudonym
    /// (<see cref="Pseudonyms.Actor(System.Security.Claims.ClaimsPrincipal, string, string)"/>); the
    /// idempotency key stays scoped to the account.
    /// </summary>
    public static async Task<IResult> RunAsync(HttpContext http, LiveLog log, Pseudonyms pseudonyms, string[] roles, int successStatus,
        Func<string, string?, ICommand> build, string? application = null)
    {
        var role = RoleOf(http.User, roles);
        var account = pseudonyms.Actor(http.User, role);
        var (key, problem) = IdempotencyKey(http.Request, account);
        if (problem is not null) return problem;
        var actor = application is null ? account : pseudonyms.Actor(http.User, role, application);
        return await ExecuteAsync(log, build(actor, key), successStatus, http.RequestAborted);
    }
}

/// <summary>Endpoint metadata: this command takes an optional Idempotency-Key header.</summary>
public sealed class IdempotentCommand
{
    public static readonly IdempotentCommand Instance = new();

    private IdempotentCommand()
    {
    }
}
