using System.Net;
using KinderQueue.Api.Auth;
using KinderQueue.Api.Hosting;
using KinderQueue.Api.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace KinderQueue.Api.Tests;

public abstract partial class ApiSuite
{
    private const string Anonymous = "anonymous";

    /// <summary>
    /// Who may call what. A change of policy must change this table too: the matrix test compares
    /// what the service does, endpoint by endpoint and role by role, with it.
    /// </summary>
    private static readonly Dictionary<string, string[]> ExpectedAccess = new()
    {
        ["POST /api/v1/criteria"] = [Roles.Registrar],
        ["POST /api/v1/districts"] = [Roles.Registrar],
        ["POST /api/v1/kindergartens"] = [Roles.Registrar],
        ["POST /api/v1/capacity"] = [Roles.Registrar],
        ["POST /api/v1/applications/{number}/erasure"] = [Roles.Registrar],
        ["POST /api/v1/applications/{number}/claims/{claim:int}/review"] = [Roles.Verifier],
        ["POST /api/v1/rounds"] = [Roles.Allocator],
        ["POST /api/v1/offers/expire"] = [Roles.Allocator],
        ["POST /api/v1/applications/{number}/enrolment"] = [Roles.Allocator],
        ["POST /api/v1/enrolments/exceptional"] = [Roles.Allocator],
        ["POST /api/v1/applications"] = [Roles.Operator, Roles.Parent],
        ["PUT /api/v1/applications/{number}/preferences"] = [Roles.Operator, Roles.Parent],
        ["POST /api/v1/applications/{number}/withdrawal"] = [Roles.Operator, Roles.Parent],
        ["POST /api/v1/applications/{number}/offer-response"] = [Roles.Allocator, Roles.Operator, Roles.Parent],
        ["GET /api/v1/audit/applications/{number}"] = [Roles.Validator],
        ["POST /api/v1/federal/applications"] = [Roles.FederalPortal],
        ["POST /api/v1/staff/signals/{id}/reviews"] = [Roles.Inspector],
        ["POST /api/v1/staff/signals/explanations/{sha256}/redaction"] = [Roles.Inspector],
    };

    // The public log API is anonymous by design; PublicLogTests checks it.
    private static readonly string[] Unprotected = ["/healthz", "/readyz", "/openapi", "/swagger", "/api/v1/public"];

    /// <summary>Every routed endpoint of the app as "METHOD /pattern", except health and documentation.</summary>
    /// <summary>Each endpoint with the content type it accepts (null: no body).</summary>
    private List<(string Endpoint, string? ContentType)> ProtectedEndpointsWithBody()
    {
        var source = F.Services.GetRequiredService<EndpointDataSource>();
        var list = new List<(string, string?)>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.Trim('/');
            pattern = pattern.Replace("//", "/", StringComparison.Ordinal);
            if (Unprotected.Any(u => pattern.StartsWith(u, StringComparison.Ordinal))) continue;
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            methods.Should().NotBeEmpty($"{pattern} should be bound to explicit HTTP methods");
            var contentTypes = endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes ?? [];
            var accepts = contentTypes.Count > 0 ? contentTypes[0] : null;
            list.AddRange(methods.Select(m => ($"{m} {pattern}", accepts)));
        }
        return list;
    }

    private static string Concrete(string pattern) =>
        pattern.Replace("{number}", "KQ-AAAAA-AAAAA", StringComparison.Ordinal).Replace("{claim:int}", "0", StringComparison.Ordinal)
            .Replace("{id}", "sig-0000000000000000", StringComparison.Ordinal).Replace("{sha256}", new string('0', 64), StringComparison.Ordinal);

    private static string Outcome(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => "401",
        HttpStatusCode.Forbidden => "403",
        _ => "allowed",
    };

    [Fact]
    public async Task Authorization_matrix_matches_the_expected_table()
    {
        var withBodies = ProtectedEndpointsWithBody();
        var endpoints = withBodies.Select(e => e.Endpoint).ToList();
        endpoints.Should().OnlyHaveUniqueItems();
        endpoints.Should().BeEquivalentTo(ExpectedAccess.Keys, "every endpoint needs a row in the expected table, and every row an endpoint");

        var callers = new List<(string Name, Caller? Caller)> { (Anonymous, null) };
        callers.AddRange(T.OnePerRole.Select(c => (c.Role, (Caller?)c)));
        var actual = new Dictionary<string, Dictionary<string, string>>();
        var expected = new Dictionary<string, Dictionary<string, string>>();
        var size = await F.LogSizeAsync();
        foreach (var (endpoint, contentType) in withBodies)
        {
            var method = new HttpMethod(endpoint[..endpoint.IndexOf(' ', StringComparison.Ordinal)]);
            var url = Concrete(endpoint[(endpoint.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
            actual[endpoint] = [];
            expected[endpoint] = [];
            foreach (var (name, caller) in callers)
            {
                // An empty body of the accepted type: enough to pass authorization and be refused (or found missing) after it.
                var body = contentType switch
                {
                    null => method == HttpMethod.Get ? null : Http.Json(new { }),
                    "application/json" => Http.Json(new { }),
                    _ => Http.Raw("", contentType),
                };
                var response = await F.SendAsync(method, url, caller, body);
                actual[endpoint][name] = Outcome(response.StatusCode);
                expected[endpoint][name] = name == Anonymous ? "401" : ExpectedAccess[endpoint].Contains(name) ? "allowed" : "403";
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                    response.Headers.WwwAuthenticate.Select(h => h.Scheme).Should().Contain("Bearer", $"{name} on {endpoint}");
            }
        }
        actual.Should().BeEquivalentTo(expected);
        (await F.LogSizeAsync()).Should().Be(size, "nothing in the matrix is a valid command");
    }

    /// <summary>"POST /api/v1/x/{claim:int}" as the OpenAPI document names it: "POST /api/v1/x/{claim}".</summary>
    private static string AsDocumented(string endpoint) =>
        System.Text.RegularExpressions.Regex.Replace(endpoint, "\\{([^}:]+):[^}]+\\}", "{$1}");

    [Fact]
    public async Task Issue17_the_openapi_document_names_the_roles_of_each_operation_as_the_matrix_does()
    {
        var doc = await (await F.GetAsync("/openapi/v1.json")).ShouldSucceedAsync(HttpStatusCode.OK);
        var scheme = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString(), scheme.GetProperty("bearerFormat").GetString())
            .Should().Be(("http", "bearer", "JWT"), "Swagger's Authorize button needs a bearer scheme");

        var documented = new Dictionary<string, string[]>();
        var anonymous = new List<string>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                var key = $"{op.Name.ToUpperInvariant()} {path.Name}";
                if (!op.Value.TryGetProperty("x-roles", out var roles))
                {
                    op.Value.TryGetProperty("security", out _).Should().BeFalse($"{key} has no roles, so it must not ask for a token");
                    anonymous.Add(key);
                    continue;
                }
                documented[key] = [.. roles.EnumerateArray().Select(r => r.GetString()!)];
                var security = op.Value.GetProperty("security").EnumerateArray().Should().ContainSingle($"{key} needs a bearer token").Subject;
                security.TryGetProperty("Bearer", out _).Should().BeTrue(key);
                var description = op.Value.GetProperty("description").GetString()!;
                foreach (var role in documented[key]) description.Should().Contain(role, $"a reader of {key} sees who may call it");
            }
        }
        documented.Should().BeEquivalentTo(ExpectedAccess.ToDictionary(e => AsDocumented(e.Key), e => e.Value),
            o => o.WithoutStrictOrdering(), "the document's roles are the ones the service enforces");
        anonymous.Should().OnlyContain(k => Unprotected.Any(u => k.Contains(" " + u, StringComparison.Ordinal)), "only the public, health and documentation routes are anonymous");
    }

    [Fact]
    public async Task Refusals_by_the_framework_are_problems_with_errors_too()
    {
        await (await F.PostAsync("/api/v1/districts", null, new { id = "x", name = "x" }))
            .ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "$header.Authorization", "auth.unauthenticated");
        await (await F.PostAsync("/api/v1/districts", T.Parent, new { id = "x", name = "x" }))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "$", "auth.forbidden");
        await (await F.GetAsync("/api/v1/rounds", T.Allocator)).ShouldBeProblemAsync(HttpStatusCode.MethodNotAllowed, "$method");
        await (await F.GetAsync("/api/v1/no-such-thing", T.Allocator)).ShouldBeProblemAsync(HttpStatusCode.NotFound, "$path");
        await (await F.SendAsync(HttpMethod.Post, "/api/v1/applications/KQ-AAAAA-AAAAA/claims/first/review", T.Verifier, Http.Json(new { verified = true, reason = "document-confirmed" })))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound, "$path");
    }

    [Fact]
    public async Task Tokens_that_are_expired_foreign_or_garbled_are_401()
    {
        var expired = T.Mint(Roles.Registrar, "subject-expired", TimeSpan.FromMinutes(5), DateTime.UtcNow.AddHours(-2));
        (await F.PostAsync("/api/v1/districts", expired, new { id = "exp", name = "x" })).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var otherKeyDir = Directory.CreateTempSubdirectory("kq-api-foreign-").FullName;
        try
        {
            var foreign = new TestTokens(otherKeyDir).Registrar;
            (await F.PostAsync("/api/v1/districts", foreign, new { id = "foreign", name = "x" })).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
        finally
        {
            Directory.Delete(otherKeyDir, recursive: true);
        }

        var garbled = new Caller(Roles.Registrar, "x", "not.a.token");
        (await F.PostAsync("/api/v1/districts", garbled, new { id = "garbled", name = "x" })).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_token_command_mints_a_token_the_service_accepts()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        LocalTokenCommand.Run(["--role", Roles.Validator, "--subject", "cli-validator", "--data-dir", F.DataDir], stdout, stderr).Should().Be(0, stderr.ToString());
        var token = new Caller(Roles.Validator, "cli-validator", stdout.ToString().Trim());
        await (await F.GetAsync("/api/v1/audit/applications/KQ-AAAAA-AAAAA?purpose=inspection", token))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound, "$", "not-found", "an authorised validator asks for a number that does not exist");
        (await F.GetAsync("/api/v1/audit/applications/KQ-AAAAA-AAAAA?purpose=inspection", token with { Token = token.Token + "x" })).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        LocalTokenCommand.Run(["--role", "superuser", "--data-dir", F.DataDir], new StringWriter(), stderr).Should().Be(2);
        stderr.ToString().Should().Contain("superuser");
    }
}
