using System.Collections.Immutable;
using KinderQueue.Api.Auth;
using KinderQueue.Api.Commands;
using KinderQueue.Api.Hosting;
using KinderQueue.Core;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.State;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;
using NodaTime;

using KinderQueue.Core.Criteria;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// What parents (through the site) and service-centre operators do: apply, change preferences,
/// withdraw, answer an offer. A parent acts only on applications made from their own account.
/// </summary>
public static class ApplicationsApi
{
    private static readonly string[] Applicants = [Roles.Operator, Roles.Parent];
    private static readonly string[] Responders = [Roles.Allocator, Roles.Operator, Roles.Parent];

    public static RouteGroupBuilder MapApplicationsApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/applications").WithTags("Applications");
        group.MapPost("/", Submit).AcceptsIdempotencyKey().RequireAuthorization(Policies.Applicant)
            .WithSummary("Submit an application (operator or parent); returns the public number and a secret access code, shown once.")
            .Accepts<SubmitApplicationRequest>("application/json")
            .Produces<SubmissionResponse>(StatusCodes.Status201Created).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413);
        group.MapPut("/{number}/preferences", ChangePreferences).AcceptsIdempotencyKey().RequireAuthorization(Policies.Applicant)
            .WithSummary("Change the listed kindergartens and desired start date; a paused application waits again.")
            .Accepts<ChangePreferencesRequest>("application/json")
            .Produces<AppendedResponse>(200).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{number}/withdrawal", Withdraw).AcceptsIdempotencyKey().RequireAuthorization(Policies.Applicant)
            .WithSummary("Withdraw an application with a reason code of the criteria's 'withdrawal' list (never free text: the log is public and permanent); a held offer's seat is freed for the next round.")
            .Accepts<ReasonRequest>("application/json")
            .Produces<AppendedResponse>(200).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{number}/offer-response", RespondToOffer).AcceptsIdempotencyKey().RequireAuthorization(Policies.OfferResponder)
            .WithSummary("Accept or decline the open offer (allocator, operator or the parent who applied).")
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

    private static async Task<IResult> ChangePreferences(string number, HttpContext http, LiveLog log, Pseudonyms pseudonyms, ILogStore store)
    {
        if (await OwnershipProblem(number, http, pseudonyms, store) is { } denied) return denied;
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return problem;
        using var _ = doc;
        var f = new JsonFields();
        var preferences = f.Strings(doc!.RootElement, "$", "preferences");
        var desiredStart = f.Date(doc.RootElement, "$", "desiredStart");
        if (RequestJson.ProblemsOf(f) is { } invalid) return invalid;
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

    private static async Task<IResult> Withdraw(string number, HttpContext http, LiveLog log, Pseudonyms pseudonyms, ILogStore store)
    {
        if (await OwnershipProblem(number, http, pseudonyms, store) is { } denied) return denied;
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return problem;
        using var _ = doc;
        var f = new JsonFields();
        var reason = f.String(doc!.RootElement, "$", "reason");
        var note = RequestJson.Note(f, doc.RootElement);
        if (RequestJson.ProblemsOf(f) is { } invalid) return invalid;
        return await CommandEndpoint.RunAsync(http, log, pseudonyms, Applicants, StatusCodes.Status200OK, (actor, key) =>
            new DelegateCommand(actor, key, (state, now) =>
                state.Applications.ContainsKey(number) && state.ReasonCodesOn(state.LocalDate(now)).CheckRequest(ReasonList.Withdrawal, reason!, "$.reason") is { } code
                    ? CommandDecision.Refuse(Refusal.Invalid, code)
                    : CommandDecision.Append(new ApplicationWithdrawn(number, reason!), Appended, note: Noted(number, note))), application: number);
    }

    /// <summary>A note to keep privately beside the entry, tied to the application so that its erasure takes it too.</summary>
    internal static NoteText? Noted(string number, string? note) => note is null ? null : new NoteText(number, note);

    private static async Task<IResult> RespondToOffer(string number, HttpContext http, LiveLog log, Pseudonyms pseudonyms, ILogStore store)
    {
        if (await OwnershipProblem(number, http, pseudonyms, store) is { } denied) return denied;
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return problem;
        using var _ = doc;
        var f = new JsonFields();
        var response = f.String(doc!.RootElement, "$", "response");
        if (response is not null && response is not ("accept" or "decline"))
            f.Add("$.response", "field.value", "'response' must be accept or decline.");
        if (RequestJson.ProblemsOf(f) is { } invalid) return invalid;
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
    /// A parent may act only on an application made from their own account. Someone else's
    /// number gets the same 404 as a number that does not exist, so numbers cannot be probed.
    /// </summary>
    private static async Task<IResult?> OwnershipProblem(string number, HttpContext http, Pseudonyms pseudonyms, ILogStore store)
    {
        if (!http.User.IsInRole(Roles.Parent) || http.User.IsInRole(Roles.Operator) || http.User.IsInRole(Roles.Allocator)) return null;
        var record = await store.GetPrivateAsync(number, http.RequestAborted);
        if (record?.Owner is not null && record.Owner == pseudonyms.Of(Pseudonyms.Subject(http.User))) return null;
        return ApiProblems.NotFound($"Application {number} was not found among your applications.");
    }

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
public sealed record ChangePreferencesRequest(string[] Preferences, string DesiredStart);
/// <param name="Reason">A code of the criteria's 'withdrawal' list (SPEC.md §4.6).</param>
/// <param name="Note">Optional words of your own: kept privately beside the entry, never published.</param>
public sealed record ReasonRequest(string Reason, string? Note);
public sealed record OfferResponseRequest(string Response);
