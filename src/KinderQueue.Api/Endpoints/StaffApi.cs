using System.Diagnostics;
using KinderQueue.Api.Auth;
using KinderQueue.Api.Commands;
using KinderQueue.Api.Hosting;
using KinderQueue.Core;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.State;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;
using NodaTime;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// Department staff: criteria, the register of districts and kindergartens, capacity, claim
/// verification, allocation rounds, offers and enrolments. Every change is an event with the
/// actor's role and pseudonym; there is deliberately no endpoint that edits a decision.
/// </summary>
public static class StaffApi
{
    private static readonly string[] RegistrarRole = [Roles.Registrar];
    private static readonly string[] VerifierRole = [Roles.Verifier];
    private static readonly string[] AllocatorRole = [Roles.Allocator];

    public static RouteGroupBuilder MapStaffApi(this RouteGroupBuilder v1)
    {
        var registry = v1.MapGroup("").WithTags("Department: register").RequireAuthorization(Policies.Registrar);
        registry.MapPost("/criteria", PublishCriteria).AcceptsIdempotencyKey()
            .WithSummary("Publish a criteria version; it takes effect on its effectiveFrom date, which may not be in the past (409).")
            .Accepts<object>("application/json").Produces<AppendedResponse>(201).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409);
        registry.MapPost("/districts", RegisterDistrict).AcceptsIdempotencyKey()
            .WithSummary("Register or rename a district.")
            .Accepts<DistrictRequest>("application/json").Produces<AppendedResponse>(201).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409);
        registry.MapPost("/kindergartens", RegisterKindergarten).AcceptsIdempotencyKey()
            .WithSummary("Register a kindergarten or change its catchment (a list of district ids).")
            .Accepts<KindergartenRequest>("application/json").Produces<AppendedResponse>(201).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409);
        registry.MapPost("/capacity", LoadCapacity).AcceptsIdempotencyKey()
            .WithSummary("Load seats from CSV (kindergarten,group,year,seats). dryRun=true returns per-row errors and the would-be changes; otherwise the whole file is one event; 'reason' is a code of the criteria's 'capacity' list.")
            .Accepts<string>("text/csv").Produces<CapacityDryRunResponse>(200).Produces<AppendedResponse>(201)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413);
        registry.MapPost("/applications/{number}/erasure", ErasePrivateRecord)
            .WithSummary("Erase an application's personal data (retention law); the public log and its commitment stay verifiable.")
            .Produces(204).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);

        v1.MapPost("/applications/{number}/claims/{claim:int}/review", ReviewClaim).AcceptsIdempotencyKey().WithTags("Department: verification")
            .RequireAuthorization(Policies.Verifier)
            .WithSummary("Verify or reject a claimed priority right; 'reason' is a code of the criteria's 'claimReview' list. Only a verified right counts.")
            .Accepts<ClaimReviewRequest>("application/json").Produces<AppendedResponse>(201).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        var allocation = v1.MapGroup("").WithTags("Department: allocation").RequireAuthorization(Policies.Allocator);
        allocation.MapPost("/rounds", RunRound).AcceptsIdempotencyKey()
            .WithSummary("Run an allocation round today for seats from startDate. 'dryRun' is required: true returns the would-be result and appends nothing (200); " +
                "false — which must be sent explicitly — appends the decision, which is irreversible (201). A body without 'dryRun' is refused (400 field.missing at $.dryRun).")
            .Accepts<RoundRequest>("application/json").Produces<RoundResponse>(200).Produces<RoundResponse>(201)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409);
        allocation.MapPost("/offers/expire", ExpireOffers).AcceptsIdempotencyKey()
            .WithSummary("Expire every open offer whose deadline has passed; the outcome follows the criteria (default: paused).")
            .Produces<ExpiryResponse>(200).ProducesProblem(401).ProducesProblem(403);
        allocation.MapPost("/applications/{number}/enrolment", ConfirmEnrolment).AcceptsIdempotencyKey()
            .WithSummary("Record that an accepted offer became an enrolment.")
            .Produces<AppendedResponse>(201).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        allocation.MapPost("/enrolments/exceptional", RecordExceptionalEnrolment).AcceptsIdempotencyKey()
            .WithSummary("Record an enrolment outside the algorithm (e.g. a court order); 'legalBasis' is a code of the criteria's 'exceptionalBasis' list; counted publicly.")
            .Accepts<ExceptionalEnrolmentRequest>("application/json").Produces<AppendedResponse>(201)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        return v1;
    }

    private static Task<IResult> Append(HttpContext http, LiveLog log, Pseudonyms pseudonyms, string[] roles, Func<QueueState, Instant, CommandDecision> decide) =>
        CommandEndpoint.RunAsync(http, log, pseudonyms, roles, StatusCodes.Status201Created, (actor, key) => new DelegateCommand(actor, key, decide));

    private static async Task<IResult> PublishCriteria(HttpContext http, LiveLog log, Pseudonyms pseudonyms)
    {
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return problem;
        using var _ = doc;
        var criteria = CriteriaJson.Read(doc!.RootElement, "$");
        if (!criteria.Success) return ApiProblems.Validation(criteria.Problems);
        return await Append(http, log, pseudonyms, RegistrarRole, (_, _) => CommandDecision.Append(new CriteriaPublished(criteria.Value!), ApplicationsApi.Appended));
    }

    private static async Task<IResult> RegisterDistrict(HttpContext http, LiveLog log, Pseudonyms pseudonyms)
    {
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return problem;
        using var _ = doc;
        var f = new JsonFields();
        var id = f.String(doc!.RootElement, "$", "id");
        var name = f.String(doc.RootElement, "$", "name");
        if (id is not null && !CriteriaValidator.IsValidId(id)) f.Add("$.id", "district.id", "Use lower-case letters, digits and '-' (up to 40).");
        if (name is not null && PublicText.Check(name, "$.name", PublicText.MaxName, "'name'") is { } bad) f.Add(bad.Path, bad.Code, bad.Message);
        if (RequestJson.ProblemsOf(f) is { } invalid) return invalid;
        return await Append(http, log, pseudonyms, RegistrarRole, (_, _) => CommandDecision.Append(new DistrictRegistered(id!, name!), ApplicationsApi.Appended));
    }

    private static async Task<IResult> RegisterKindergarten(HttpContext http, LiveLog log, Pseudonyms pseudonyms)
    {
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return problem;
        using var _ = doc;
        var f = new JsonFields();
        var root = doc!.RootElement;
        var id = f.String(root, "$", "id");
        var name = f.String(root, "$", "name");
        var district = f.String(root, "$", "district");
        var catchment = f.Strings(root, "$", "catchment", required: false) ?? [];
        if (id is not null && !CriteriaValidator.IsValidId(id)) f.Add("$.id", "kindergarten.id", "Use lower-case letters, digits and '-' (up to 40).");
        if (name is not null && PublicText.Check(name, "$.name", PublicText.MaxName, "'name'") is { } bad) f.Add(bad.Path, bad.Code, bad.Message);
        if (RequestJson.ProblemsOf(f) is { } invalid) return invalid;
        return await Append(http, log, pseudonyms, RegistrarRole, (state, _) =>
        {
            // Unknown districts are a mistake in the request (400), not a conflict with the queue.
            if (!state.Districts.ContainsKey(district!))
                return CommandDecision.Refuse(Refusal.Invalid, new ValidationProblem("$.district", "kindergarten.unknown-district", $"District '{district}' is not registered."));
            for (var i = 0; i < catchment.Length; i++)
            {
                if (!state.Districts.ContainsKey(catchment[i]))
                    return CommandDecision.Refuse(Refusal.Invalid, new ValidationProblem($"$.catchment[{i}]", "kindergarten.unknown-district", $"District '{catchment[i]}' is not registered."));
            }
            return CommandDecision.Append(new KindergartenRegistered(id!, name!, district!, catchment), ApplicationsApi.Appended);
        });
    }

    private static async Task<IResult> LoadCapacity(HttpContext http, LiveLog log, Pseudonyms pseudonyms, KinderQueueOptions options, IClock clock,
        string? dryRun, string? reason)
    {
        // Read as text and checked here: a bound bool would turn "dryRun=maybe" into a bare 400 (or an exception) naming nothing.
        var isDryRun = false;
        if (!string.IsNullOrEmpty(dryRun) && !bool.TryParse(dryRun, out isDryRun))
            return ApiProblems.Validation("$query.dryRun", "field.type", "'dryRun' must be true or false.");
        if (http.Request.ContentType is null || !http.Request.ContentType.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
            return ApiProblems.Validation("$", "request.content-type", "Send the capacity file as text/csv.");
        if (RequestJson.CharsetProblem(http.Request) is { } charset) return charset;
        var sizeFeature = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false }) sizeFeature.MaxRequestBodySize = options.MaxCapacityCsvBytes;
        string text;
        using (var reader = new StreamReader(http.Request.Body))
            text = await reader.ReadToEndAsync(http.RequestAborted);
        if (isDryRun)
        {
            var check = await log.ReadAsync((state, _) => CapacityCsv.Check(text, state, state.LocalDate(clock.GetCurrentInstant())), http.RequestAborted);
            return TypedResults.Ok(new CapacityDryRunResponse(check.Rows, check.Errors, check.ErrorCount, check.Changes));
        }
        if (string.IsNullOrWhiteSpace(reason))
            return ApiProblems.Validation("$query.reason", "capacity.reason", "A capacity load needs a reason: a code of the criteria's 'capacity' list (query parameter 'reason').");
        return await Append(http, log, pseudonyms, RegistrarRole, (state, now) =>
        {
            if (state.ReasonCodesOn(state.LocalDate(now)).CheckRequest(ReasonList.Capacity, reason, "$query.reason") is { } code)
                return CommandDecision.Refuse(Refusal.Invalid, code);
            var check = CapacityCsv.Check(text, state, state.LocalDate(now));
            if (check.ErrorCount > 0)
            {
                // One problem per bad row, as many as a problem lists (ApiProblems.MaxErrors), the rest counted in a last one.
                var listed = check.ErrorCount > ApiProblems.MaxErrors ? ApiProblems.MaxErrors - 1 : check.Errors.Length;
                List<ValidationProblem> problems = [.. check.Errors.Take(listed).Select(e => new ValidationProblem($"$csv.line[{e.Line}].{e.Field}", "capacity.row", e.Message))];
                if (check.ErrorCount > listed)
                    problems.Add(new ValidationProblem("$csv", "errors.truncated", $"{check.ErrorCount - listed} more bad rows are not listed ({check.ErrorCount} in all); a dry run lists the first {CapacityCsv.MaxListedErrors}."));
                return CommandDecision.Refuse(Refusal.Invalid, problems);
            }
            return CommandDecision.Append(new CapacityLoaded(reason, check.Parsed), ApplicationsApi.Appended);
        });
    }

    private static async Task<IResult> ErasePrivateRecord(string number, ILogStore store, IClock clock, CancellationToken ct) =>
        await store.ErasePrivateAsync(number, clock.GetCurrentInstant(), ct)
            ? TypedResults.NoContent()
            : ApiProblems.NotFound($"Application {number} has no personal data to erase.");

    private static async Task<IResult> ReviewClaim(string number, int claim, HttpContext http, LiveLog log, Pseudonyms pseudonyms)
    {
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return problem;
        using var _ = doc;
        var f = new JsonFields();
        var verified = f.Boolean(doc!.RootElement, "$", "verified");
        var reason = f.String(doc.RootElement, "$", "reason");
        var note = RequestJson.Note(f, doc.RootElement);
        if (RequestJson.ProblemsOf(f) is { } invalid) return invalid;
        return await Append(http, log, pseudonyms, VerifierRole, (state, now) =>
            // An unknown number or claim is reported as such (404) by the fold, before the reason.
            state.Applications.ContainsKey(number) && state.ReasonCodesOn(state.LocalDate(now)).CheckRequest(ReasonList.ClaimReview, reason!, "$.reason") is { } code
                ? CommandDecision.Refuse(Refusal.Invalid, code)
                : CommandDecision.Append(new ClaimReviewed(number, claim, verified!.Value, reason!), ApplicationsApi.Appended, note: ApplicationsApi.Noted(number, note)));
    }

    private static async Task<IResult> RunRound(HttpContext http, LiveLog log, Pseudonyms pseudonyms, IClock clock)
    {
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return problem;
        using var _ = doc;
        var f = new JsonFields();
        var id = f.String(doc!.RootElement, "$", "id");
        var startDate = f.Date(doc.RootElement, "$", "startDate");
        // Required, never defaulted: a decided round cannot be undone, so a client that forgets the field must not run one (issue 17).
        var dryRun = f.Boolean(doc.RootElement, "$", "dryRun") ?? false;
        if (id is not null && PublicText.Check(id, "$.id", PublicText.MaxRoundId, "'id'") is { } bad) f.Add(bad.Path, bad.Code, bad.Message);
        if (RequestJson.ProblemsOf(f) is { } invalid) return invalid;

        if (dryRun)
        {
            var outcome = await log.ReadAsync((state, _) => Timed(() => Rounds.Decide(state, id!, state.LocalDate(clock.GetCurrentInstant()), startDate!.Value)), http.RequestAborted);
            return outcome.Success
                ? TypedResults.Ok(RoundResponse.From(null, outcome.Value!.Result, id!))
                : ApiProblems.Validation(outcome.Problems);
        }
        return await CommandEndpoint.RunAsync(http, log, pseudonyms, AllocatorRole, StatusCodes.Status201Created, (actor, key) =>
            new DelegateCommand(actor, key, (state, now) =>
            {
                if (state.Decisions.Any(d => d.Decision.Round == id))
                    return CommandDecision.Refuse(Refusal.Conflict, new ValidationProblem("$.id", "round.duplicate-id", $"Round '{id}' was decided before."));
                var outcome = Timed(() => Rounds.Decide(state, id!, state.LocalDate(now), startDate!.Value));
                if (!outcome.Success) return CommandDecision.Refuse(Refusal.Invalid, outcome.Problems);
                var result = outcome.Value!.Result;
                return CommandDecision.Append(outcome.Value.Decision, seq => StoredJsonResult.Serialize(RoundResponse.From(seq, result, id!)));
            }));
    }

    private static T Timed<T>(Func<T> run)
    {
        var started = Stopwatch.GetTimestamp();
        var value = run();
        LogTelemetry.AllocationTime.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return value;
    }

    private static Task<IResult> ExpireOffers(HttpContext http, LiveLog log, Pseudonyms pseudonyms) =>
        CommandEndpoint.RunAsync(http, log, pseudonyms, AllocatorRole, StatusCodes.Status200OK, (actor, key) =>
            new DelegateCommand(actor, key, (state, now) =>
            {
                var today = state.LocalDate(now);
                var due = state.Applications.Values
                    .Where(a => a.Status == ApplicationStatus.Offered && a.Placement!.Deadline < today)
                    .Select(a => a.Number).Order(StringComparer.Ordinal).ToList();
                if (due.Count == 0)
                    return CommandDecision.Refuse(Refusal.Conflict, new ValidationProblem("$", "offers.none-due", $"No open offer is past its deadline on {today:uuuu-MM-dd}."));
                return CommandDecision.Append(new OffersExpired(today, [.. due]), seq => StoredJsonResult.Serialize(new ExpiryResponse(seq, due.Count)));
            }));

    private static Task<IResult> ConfirmEnrolment(string number, HttpContext http, LiveLog log, Pseudonyms pseudonyms) =>
        Append(http, log, pseudonyms, AllocatorRole, (_, _) => CommandDecision.Append(new EnrolmentConfirmed(number), ApplicationsApi.Appended));

    private static async Task<IResult> RecordExceptionalEnrolment(HttpContext http, LiveLog log, Pseudonyms pseudonyms)
    {
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return problem;
        using var _ = doc;
        var f = new JsonFields();
        var root = doc!.RootElement;
        var number = f.String(root, "$", "number");
        var kindergarten = f.String(root, "$", "kindergarten");
        var group = f.String(root, "$", "group");
        var year = f.Integer(root, "$", "year", 2000, 2100);
        var legalBasis = f.String(root, "$", "legalBasis");
        var note = RequestJson.Note(f, root);
        if (RequestJson.ProblemsOf(f) is { } invalid) return invalid;
        return await Append(http, log, pseudonyms, AllocatorRole, (state, now) =>
        {
            // A mistake in the request (400 naming the field), not a conflict with the queue; the fold does not check the group.
            if (!state.Kindergartens.ContainsKey(kindergarten!))
                return CommandDecision.Refuse(Refusal.Invalid, new ValidationProblem("$.kindergarten", "enrolment.unknown-kindergarten", $"Kindergarten '{kindergarten}' is not registered."));
            var criteria = state.CriteriaInForce(state.LocalDate(now));
            if (criteria is not null && criteria.FindGroup(group!) is null)
                return CommandDecision.Refuse(Refusal.Invalid, new ValidationProblem("$.group", "enrolment.unknown-group", $"Age group '{group}' is not in criteria {criteria.Version}."));
            if (state.Applications.ContainsKey(number!)
                && state.ReasonCodesOn(state.LocalDate(now)).CheckRequest(ReasonList.ExceptionalBasis, legalBasis!, "$.legalBasis") is { } code)
                return CommandDecision.Refuse(Refusal.Invalid, code);
            return CommandDecision.Append(new EnrolmentExceptional(number!, kindergarten!, group!, (int)year!.Value, legalBasis!), ApplicationsApi.Appended,
                note: ApplicationsApi.Noted(number!, note));
        });
    }
}

public sealed record DistrictRequest(string Id, string Name);
public sealed record KindergartenRequest(string Id, string Name, string District, string[]? Catchment);
public sealed record ClaimReviewRequest(bool Verified, string Reason, string? Note);
/// <param name="DryRun">Required. true: compute and return the would-be round, append nothing. false: append the decision (irreversible).</param>
public sealed record RoundRequest(string Id, string StartDate, bool DryRun);
public sealed record ExceptionalEnrolmentRequest(string Number, string Kindergarten, string Group, int Year, string LegalBasis, string? Note);
/// <param name="Errors">The first bad rows (at most CapacityCsv.MaxListedErrors, 100).</param>
/// <param name="ErrorCount">How many bad rows the file has in all.</param>
public sealed record CapacityDryRunResponse(int Rows, IReadOnlyList<CsvRowError> Errors, int ErrorCount, IReadOnlyList<CapacityChange> Changes);
public sealed record ExpiryResponse(long Seq, int Expired);
public sealed record RoundOffer(string Number, string Kindergarten, string Group, string Deadline);

/// <summary>A round's outcome as staff see it; Seq is null for a dry run.</summary>
public sealed record RoundResponse(long? Seq, string Round, string Criteria, string Date, string StartDate, int Year,
    int Offered, int Waitlisted, int Deferred, int Archived, long Proposals, IReadOnlyList<RoundOffer> Offers)
{
    public static RoundResponse From(long? seq, AllocationResult r, string round) =>
        new(seq, round, r.CriteriaVersion, Formats.Format(r.Date), Formats.Format(r.StartDate), r.Year,
            r.Offers.Length,
            r.CountWith(RoundStatus.Waitlisted),
            r.CountWith(RoundStatus.Deferred),
            r.Archived.Length,
            r.Proposals,
            [.. r.Offers.Select(o => new RoundOffer(o.Number, o.Kindergarten, o.Group, Formats.Format(o.Deadline)))]);
}
