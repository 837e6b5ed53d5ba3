using KinderQueue.Api.Auth;
using KinderQueue.Api.Commands;
using KinderQueue.Api.Federal;
using KinderQueue.Api.Hosting;
using KinderQueue.Core.Encoding;
using KinderQueue.Storage.Appending;
using KinderQueue.Storage.Federal;
using Microsoft.AspNetCore.Http.HttpResults;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// The federal portal's side (issue 14, deploy/FEDERAL-PORTAL.md): the portal pushes applications
/// here as its service account; the public sees only the state of the link.
/// </summary>
public static class FederalPortalApi
{
    /// <summary>The portal's application ids: what its queue hands out, never anything else.</summary>
    public const int MaxPortalIdLength = 64;

    public static RouteGroupBuilder MapFederalPortalApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/federal/applications", Submit).WithTags("Federal portal").RequireAuthorization(Policies.FederalPortal)
            .WithSummary("The federal portal pushes an application it registered. Idempotent on 'portalId': a resend with the same content " +
                "answers 200 with the same number and appends nothing; a resend with other content is refused (409 federal.resend-differs). " +
                "'registeredAt' is the portal's registration time and becomes the application's registration instant.")
            .Accepts<FederalApplicationRequest>("application/json")
            .Produces<FederalSubmissionResponse>(StatusCodes.Status201Created).Produces<FederalSubmissionResponse>(StatusCodes.Status200OK)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413);
        v1.MapGet("/public/federal-portal", Status).WithTags("Public").AllowAnonymous()
            .WithSummary("The link to the federal portal: up, down (since when) or not configured, and how many status updates wait. " +
                "Applications are accepted either way; no application or portal id is shown.")
            .Produces<FederalLinkResponse>(200);
        return v1;
    }

    private static async Task<IResult> Submit(HttpContext http, LiveLog log, Pseudonyms pseudonyms, IFederalStore federal)
    {
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return problem;
        using var _ = doc;
        var root = doc!.RootElement;
        var f = new JsonFields();
        var portalId = f.String(root, "$", "portalId");
        if (portalId is not null && !IsPortalId(portalId))
            f.Add("$.portalId", "federal.portal-id", $"'portalId' must be 1–{MaxPortalIdLength} characters of A–Z, a–z, 0–9, '.', '_', ':' or '-'.");
        var registeredAt = f.Instant(root, "$", "registeredAt");
        var parsed = SubmissionInput.Parse(root, f, "federal");
        if (RequestJson.ProblemsOf(f) is { } invalid) return invalid;
        var input = parsed! with { RegisteredAt = registeredAt };
        var hash = FederalSubmission.ContentHash(portalId!, input);

        // A resend of an application accepted before: its link says which, and whether it is the same.
        if (await federal.GetFederalLinkAsync(portalId!, http.RequestAborted) is { } known) return await ResendAsync(http, log, known, hash);
        var actor = pseudonyms.Actor(http.User, Roles.FederalPortal);
        for (var attempt = 0; ; attempt++)
        {
            var number = Secrets.NewApplicationNumber();
            var result = await log.ExecuteAsync(new FederalSubmission(actor, portalId!, input, number, hash), http.RequestAborted);
            if (result.Accepted && !result.Replayed) return new StoredJsonResult(StatusCodes.Status201Created, result.Response!, replayed: false);
            // Another send of the same id won the race under the writer lock: answer as for any resend.
            if (result.Accepted && await federal.GetFederalLinkAsync(portalId!, http.RequestAborted) is { } raced) return await ResendAsync(http, log, raced, hash);
            if (attempt < 3 && result.Problems.Any(p => p.Code == "application.duplicate-number")) continue;
            return ApiProblems.From(result);
        }
    }

    private static async Task<IResult> ResendAsync(HttpContext http, LiveLog log, FederalLink known, byte[] hash)
    {
        if (!known.ContentHash.AsSpan().SequenceEqual(hash))
        {
            return ApiProblems.From(CommandResult.Refused(Refusal.Conflict, [new Core.ValidationProblem("$.portalId", "federal.resend-differs",
                $"Portal application {ApiProblems.Bounded(known.PortalId)} was accepted before as {known.Number} with other content. " +
                "A change is made through the region's own commands (preferences, withdrawal), never by sending the application again.")]));
        }
        var application = await log.ReadAsync((state, _) => state.Applications.GetValueOrDefault(known.Number), http.RequestAborted);
        if (application is null) return ApiProblems.Unavailable("The application is recorded but this instance has not folded it yet; send again.");
        http.Response.Headers["Idempotent-Replayed"] = "true";
        return TypedResults.Ok(new FederalSubmissionResponse(known.PortalId, known.Number, null, Formats.Format(application.RegisteredAt), application.Seq));
    }

    private static bool IsPortalId(string id) =>
        id.Length is > 0 and <= MaxPortalIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');

    private static Ok<FederalLinkResponse> Status(PortalLinkState link)
    {
        var s = link.Snapshot();
        return TypedResults.Ok(new FederalLinkResponse(s.State, s.DownSince is { } at ? Formats.Format(Formats.TruncateToMillisecond(at)) : null, s.Backlog));
    }
}

/// <summary>The link's public state: <c>up</c>, <c>down</c> (with the time it went down) or <c>not-configured</c>; and the backlog.</summary>
/// <param name="Link">up, down or not-configured.</param>
/// <param name="DownSince">While down: the first failed send since the last success (UTC).</param>
/// <param name="Backlog">Status updates waiting to be sent.</param>
public sealed record FederalLinkResponse(string Link, string? DownSince, long Backlog);

/// <summary>An application as the portal sends it: the fields of every channel plus its own id and registration time.</summary>
/// <param name="PortalId">The portal's application id: a resend under it never makes a second application.</param>
/// <param name="RegisteredAt">When the portal registered it (UTC, milliseconds): the application's registration instant.</param>
public sealed record FederalApplicationRequest(string PortalId, string RegisteredAt, ChildRequest Child, ParentRequest Parent, string District,
    string[] Preferences, string DesiredStart, ClaimRequest[]? Claims, string? Kind);
