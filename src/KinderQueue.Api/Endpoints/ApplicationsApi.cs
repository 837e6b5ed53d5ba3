using System.Collections.Immutable;
using KinderQueue.Api.Auth;
using KinderQueue.Api.Commands;
using KinderQueue.Api.Hosting;
using KinderQueue.Api.Public;
using KinderQueue.Core;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.State;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;
using Microsoft.AspNetCore.Http.HttpResults;
using ValidationProblem = KinderQueue.Core.ValidationProblem;
using NodaTime;

using KinderQueue.Core.Criteria;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// What parents (through the site) and service-centre operators do: apply, change preferences,
/// withdraw, answer an offer. Acting on an existing application is tied to the family: a parent
/// acts on an application made from their own account, or on any other (one filed at a service
/// centre, say) by presenting its access code; an operator always presents the access code, so
/// that a centre acts only with the parent present (issue 17). See <see cref="AccessProblemAsync"/>.
/// </summary>
public static class ApplicationsApi
{
    private static readonly string[] Applicants = [Roles.Operator, Roles.Parent];
    private static readonly string[] Responders = [Roles.Allocator, Roles.Operator, Roles.Parent];

    private const string FamilyOnly =
        "An operator must send the application's 'accessCode' (the parent is present at the centre); a parent needs none for an " +
        "application made from their own account and sends 'accessCode' for any other (one filed at a service centre). " +
        "A wrong code, someone else's application and an unknown number all get the same 404.";

    public static RouteGroupBuilder MapApplicationsApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/applications").WithTags("Applications");
        group.MapPost("/", Submit).AcceptsIdempotencyKey().RequireAuthorization(Policies.Applicant)
            .WithSummary("Submit an application (operator or parent); returns the public number and a secret access code, shown once.")
            .Accepts<SubmitApplicationRequest>("application/json")
            .Produces<SubmissionResponse>(StatusCodes.Status201Created).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413);
        group.MapPut("/{number}/preferences", ChangePreferences).AcceptsIdempotencyKey().RequireAuthorization(Policies.Applicant)
            .WithSummary("Change the listed kindergartens and desired start date; a paused application waits again. " + FamilyOnly)
            .Accepts<ChangePreferencesRequest>("application/json")
            .Produces<AppendedResponse>(200).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{number}/withdrawal", Withdraw).AcceptsIdempotencyKey().RequireAuthorization(Policies.Applicant)
            .WithSummary("Withdraw an application with a reason code of the criteria's 'withdrawal' list (never free text: the log is public and permanent); a held offer's seat is freed for the next round. " + FamilyOnly)
            .Accepts<ReasonRequest>("application/json")
            .Produces<AppendedResponse>(200).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{number}/offer-response", RespondToOffer).AcceptsIdempotencyKey().RequireAuthorization(Policies.OfferResponder)
            .WithSummary("Accept or decline the open offer (allocator, operator or parent). " + FamilyOnly + " An allocator records a response received otherwise and needs no code.")
            .Accepts<OfferResponseRequest>("application/json")
            .Produces<AppendedResponse>(200).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        return group;
    }

    private static async Task<IResult> Submit(HttpContext http, LiveLog log, Pseudonyms pseudonyms)
    {
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return problem;
        using var _ = doc;
        var role = CommandEndpoint.RoleOf(http.User, Applicants);
        var f = new JsonFields();
        // Parents apply through the portal; operators at a service centre, or relaying the federal portal.
        var channel = role == Roles.Parent ? "portal" : f.String(doc!.RootElement, "$", "channel", required: false) ?? "centre";
        if (role == Roles.Operator && channel is not ("centre" or "federal"))
            f.Add("$.channel", "application.channel", "An operator submits through 'centre' or 'federal'.");
        var input = SubmissionInput.Parse(doc!.RootElement, f, channel);
        if (RequestJson.ProblemsOf(f) is { } invalid) return invalid;
        var (key, keyProblem) = CommandEndpoint.IdempotencyKey(http.Request, pseudonyms.Actor(http.User, role));
        if (keyProblem is not null) return keyProblem;
        var owner = role == Roles.Parent ? pseudonyms.Of(Pseudonyms.Subject(http.User)) : null;
        // A fresh random number collides with an existing one only by extraordinary luck; try again then.
        for (var attempt = 0; ; attempt++)
        {
            var number = Secrets.NewApplicationNumber();
            var command = new SubmitApplication(pseudonyms.Actor(http.User, role, number), key, input!, number, Secrets.NewAccessCode(), Secrets.NewSalt(), owner);
            var result = await log.ExecuteAsync(command, http.RequestAborted);
            if (result.Accepted) return new StoredJsonResult(StatusCodes.Status201Created, result.Response!, result.Replayed);
            if (attempt < 3 && result.Problems.Any(p => p.Code == "application.duplicate-number")) continue;
            return ApiProblems.From(result);
        }
    }

    private static async Task<IResult> ChangePreferences(string number, HttpContext http, LiveLog log, Pseudonyms pseudonyms, ILogStore store,
        AccessCodes codes, LookupGuard guard)
    {
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return problem;
        using var _ = doc;
        var f = new JsonFields();
        var preferences = f.Strings(doc!.RootElement, "$", "preferences");
        var desiredStart = f.Date(doc.RootElement, "$", "desiredStart");
        var code = AccessCodeField(f, doc.RootElement, http.User, Applicants);
        if (RequestJson.ProblemsOf(f) is { } invalid) return invalid;
        if (await AccessProblemAsync(number, code, Applicants, http, pseudonyms, store, codes, guard) is { } denied) return denied;
        return await CommandEndpoint.RunAsync(http, log, pseudonyms, Applicants, StatusCodes.Status200OK, (actor, key) =>
            new DelegateCommand(actor, key, (state, now) =>
            {
                if (!state.Applications.TryGetValue(number, out var a))
                    return CommandDecision.Refuse(Refusal.NotFound, new ValidationProblem("$.number", "application.unknown", $"Application {number} does not exist."));
                var today = state.LocalDate(now);
                var criteria = state.CriteriaInForce(today);
                if (criteria is null) return CommandDecision.Refuse(Refusal.Conflict, new ValidationProblem("$", "application.no-criteria", "No criteria are in force today."));
                var problems = ApplicationRules.CheckPreferences(criteria, state, preferences!.Value, desiredStart!.Value, a.BirthMonth, today);
                if (problems.Count > 0) return CommandDecision.Refuse(Refusal.Invalid, problems);
                return CommandDecision.Append(new ApplicationChanged(number, preferences.Value, desiredStart.Value), Appended);
            }), application: number);
    }

    private static async Task<IResult> Withdraw(string number, HttpContext http, LiveLog log, Pseudonyms pseudonyms, ILogStore store,
        AccessCodes codes, LookupGuard guard)
    {
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return problem;
        using var _ = doc;
        var f = new JsonFields();
        var reason = f.String(doc!.RootElement, "$", "reason");
        var note = RequestJson.Note(f, doc.RootElement);
        var code = AccessCodeField(f, doc.RootElement, http.User, Applicants);
        if (RequestJson.ProblemsOf(f) is { } invalid) return invalid;
        if (await AccessProblemAsync(number, code, Applicants, http, pseudonyms, store, codes, guard) is { } denied) return denied;
        return await CommandEndpoint.RunAsync(http, log, pseudonyms, Applicants, StatusCodes.Status200OK, (actor, key) =>
            new DelegateCommand(actor, key, (state, now) =>
                state.Applications.ContainsKey(number) && state.ReasonCodesOn(state.LocalDate(now)).CheckRequest(ReasonList.Withdrawal, reason!, "$.reason") is { } code
                    ? CommandDecision.Refuse(Refusal.Invalid, code)
                    : CommandDecision.Append(new ApplicationWithdrawn(number, reason!), Appended, note: Noted(number, note))), application: number);
    }

    /// <summary>A note to keep privately beside the entry, tied to the application so that its erasure takes it too.</summary>
    internal static NoteText? Noted(string number, string? note) => note is null ? null : new NoteText(number, note);

    private static async Task<IResult> RespondToOffer(string number, HttpContext http, LiveLog log, Pseudonyms pseudonyms, ILogStore store,
        AccessCodes codes, LookupGuard guard)
    {
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return problem;
        using var _ = doc;
        var f = new JsonFields();
        var response = f.String(doc!.RootElement, "$", "response");
        if (response is not null && response is not ("accept" or "decline"))
            f.Add("$.response", "field.value", "'response' must be accept or decline.");
        var code = AccessCodeField(f, doc.RootElement, http.User, Responders);
        if (RequestJson.ProblemsOf(f) is { } invalid) return invalid;
        if (await AccessProblemAsync(number, code, Responders, http, pseudonyms, store, codes, guard) is { } denied) return denied;
        return await CommandEndpoint.RunAsync(http, log, pseudonyms, Responders, StatusCodes.Status200OK, (actor, key) =>
            OfferResponse(actor, key, number, response == "accept"), application: number);
    }

    /// <summary>
    /// The answer to an application's open offer, whoever gives it: staff here, the parent with the
    /// number and access code on the public side (PublicQueueApi). The log refuses it (409
    /// offer.none) when the application holds no open offer.
    /// </summary>
    internal static ICommand OfferResponse(string actor, string? key, string number, bool accept) =>
        new DelegateCommand(actor, key, (_, _) => CommandDecision.Append(new OfferResponded(number, accept), Appended));

    /// <summary>
    /// The 'accessCode' of the body: required of an operator, optional for a parent (their own
    /// applications need none), not read for an allocator. At most 64 characters, as in the lookups.
    /// </summary>
    private static string? AccessCodeField(JsonFields f, System.Text.Json.JsonElement root, System.Security.Claims.ClaimsPrincipal user, string[] roles)
    {
        var role = CommandEndpoint.RoleOf(user, roles);
        if (role == Roles.Allocator) return null;
        var code = f.String(root, "$", "accessCode", required: role == Roles.Operator);
        if (code is { Length: > 64 }) f.Add("$.accessCode", "field.too-long", "At most 64 characters.");
        return code;
    }

    /// <summary>
    /// Who may act on an existing application (issue 17). Before, an operator could change or
    /// withdraw any application, a parent's own portal one included, and a parent could not manage
    /// one a service centre filed for their child. Both are now tied to the access code, the
    /// family's secret, shown once at submission:
    /// <list type="bullet">
    /// <item>an allocator (offer responses only) is department staff recording an answer received otherwise: no code;</item>
    /// <item>an operator must present the application's code: the centre acts with the parent present;</item>
    /// <item>a parent acts on an application made from their own account without a code, and on any other with its code.</item>
    /// </list>
    /// A wrong code, someone else's application and a number that does not exist all get the same
    /// 404, so numbers cannot be probed. Wrong codes count against the caller's account like failed
    /// public lookups (LookupGuard); a parent's also count against the number, whose growing delay
    /// applies to them as to the public lookup, while an operator, accountable and limited per
    /// account, is not held up by strangers' guesses at the number (deploy/CONFIGURATION.md).
    /// </summary>
    private static async Task<IResult?> AccessProblemAsync(string number, string? code, string[] roles, HttpContext http, Pseudonyms pseudonyms,
        ILogStore store, AccessCodes codes, LookupGuard guard)
    {
        var role = CommandEndpoint.RoleOf(http.User, roles);
        if (role == Roles.Allocator) return null;
        if (role == Roles.Parent)
        {
            // Their own application, code or not (a code they send along, even a mistyped one, changes nothing).
            var record = await store.GetPrivateAsync(number, http.RequestAborted);
            if (record?.Owner is not null && record.Owner == pseudonyms.Of(Pseudonyms.Subject(http.User))) return null;
            if (code is null) return NotYours(number);
        }
        var account = "account:" + pseudonyms.Actor(http.User, role);
        if (guard.Admit(account) is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ApiProblems.TooManyRequests("Too many wrong access codes from your account. Try again later.");
        }
        if (role == Roles.Parent && guard.AdmitNumber(number) is { } delay) return PublicQueueApi.TooManyGuesses(http, delay);
        if (await codes.MatchesAsync(number, code!, http.RequestAborted))
        {
            if (role == Roles.Parent) guard.Succeeded(number);
            return null;
        }
        if (role == Roles.Parent) guard.Failed(account, number);
        else guard.Failed(account);
        return NotYours(number);
    }

    private static ProblemHttpResult NotYours(string number) =>
        ApiProblems.NotFound($"No application {number} is yours, or matches this access code. For an application filed at a service centre, send its 'accessCode'.");

    public static byte[] Appended(long seq) => StoredJsonResult.Serialize(new AppendedResponse(seq));
}

/// <summary>The log position of what a command appended.</summary>
public sealed record AppendedResponse(long Seq);

// Request shapes, for the OpenAPI document; bodies are read field by field (RequestJson) so errors name the field.
public sealed record ChildRequest(string Name, string BirthDate);
public sealed record ParentRequest(string Name, string? Phone, string? Email);
public sealed record ClaimRequest(string Category, string? Kindergarten, string? Documents);
public sealed record SubmitApplicationRequest(ChildRequest Child, ParentRequest Parent, string District, string[] Preferences,
    string DesiredStart, ClaimRequest[]? Claims, string? Kind, string? Channel);
/// <param name="AccessCode">The application's access code: required of an operator; a parent sends it for an application not made from their account.</param>
public sealed record ChangePreferencesRequest(string[] Preferences, string DesiredStart, string? AccessCode);
/// <param name="Reason">A code of the criteria's 'withdrawal' list (SPEC.md §4.6).</param>
/// <param name="Note">Optional words of your own: kept privately beside the entry, never published.</param>
/// <param name="AccessCode">The application's access code: required of an operator; a parent sends it for an application not made from their account.</param>
public sealed record ReasonRequest(string Reason, string? Note, string? AccessCode);
/// <param name="AccessCode">The application's access code: required of an operator; a parent sends it for an application not made from their account; an allocator sends none.</param>
public sealed record OfferResponseRequest(string Response, string? AccessCode);
