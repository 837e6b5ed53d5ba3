using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// Documents who may call what: a bearer (JWT) security scheme, so Swagger's Authorize button sends
/// a token, and on every protected operation the security requirement, the roles it accepts in an
/// <c>x-roles</c> extension and in its description. The roles are read from the authorization
/// policies the endpoint actually carries (ServiceRegistration: Policies → Roles), never restated,
/// so the document cannot drift from what the service enforces; a test compares both with the
/// authorization matrix (ApiSuite.Authorization).
/// </summary>
public static class OperationSecurity
{
    public const string SchemeId = "Bearer";

    /// <summary>The extension that lists an operation's accepted roles.</summary>
    public const string RolesExtension = "x-roles";

    public static Task AddSchemeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        EnsureScheme(document);
        return Task.CompletedTask;
    }

    public static async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Description = Append(operation.Description, "Anonymous: no token needed.");
            return;
        }
        var authorize = metadata.OfType<IAuthorizeData>().ToList();
        if (authorize.Count == 0) return;
        var provider = context.ApplicationServices.GetRequiredService<IAuthorizationPolicyProvider>();
        var policy = await AuthorizationPolicy.CombineAsync(provider, authorize).ConfigureAwait(false);
        if (policy is null) return;
        var roles = Roles(policy);

        EnsureScheme(context.Document!);
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeId, context.Document)] = [] });
        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        operation.Extensions[RolesExtension] = new JsonNodeExtension(new JsonArray([.. roles.Select(r => (JsonNode)JsonValue.Create(r))]));
        operation.Description = Append(operation.Description, roles.Count > 0
            ? $"Roles: {string.Join(", ", roles)} (a bearer token whose 'role' claim is one of them; others get 403)."
            : "Any authenticated caller.");
    }

    /// <summary>
    /// The roles a policy accepts: a caller must satisfy every roles requirement, so with several
    /// (a group's and an endpoint's) only roles in all of them are accepted. Sorted, for a stable document.
    /// </summary>
    public static IReadOnlyList<string> Roles(AuthorizationPolicy policy)
    {
        IEnumerable<string>? accepted = null;
        foreach (var requirement in policy.Requirements.OfType<RolesAuthorizationRequirement>())
            accepted = accepted is null ? requirement.AllowedRoles : accepted.Intersect(requirement.AllowedRoles, StringComparer.Ordinal);
        return [.. (accepted ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    private static void EnsureScheme(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes.TryAdd(SchemeId, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A JWT from the region's identity provider (or, without one, `dotnet run --project src/KinderQueue.Api -- token --role <role>`), " +
                "with a 'role' claim: registrar, verifier, allocator, operator, parent, validator, federal-portal or inspector.",
        });
    }

    private static string Append(string? description, string text) =>
        string.IsNullOrEmpty(description) ? text : $"{description}\n\n{text}";
}
