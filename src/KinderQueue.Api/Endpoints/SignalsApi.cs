using System.Text.Json;
using KinderQueue.Api.Auth;
using KinderQueue.Api.Hosting;
using KinderQueue.Api.Public;
using KinderQueue.Api.PublicLog;
using KinderQueue.Api.Signals;
using KinderQueue.Core;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Signals;
using KinderQueue.Storage.Appending;
using KinderQueue.Storage.Signals;
using NodaTime;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// Anomaly signals (issue 13, SPEC §17): the inspector's reviews, and the public signals — the
/// canonical document kq verify recomputes, one signal with its explanations, the explanation
/// texts by hash, and an Atom feed. Signals are derived from the log (the projection's
/// SignalLedger); this file never runs a rule.
/// </summary>
public static class SignalsApi
{
    private static readonly string[] InspectorRole = [Roles.Inspector];

    public static RouteGroupBuilder MapSignalsApi(this RouteGroupBuilder v1)
    {
        var staff = v1.MapGroup("/staff/signals").WithTags("Department: signals").RequireAuthorization(Policies.Inspector);
        staff.MapPost("/{id}/reviews", Review).AcceptsIdempotencyKey()
            .WithSummary("Move a signal on (new → investigating | explained | confirmed; investigating → the same three) with a code of the criteria's " +
                "'signalOutcome' list and a short public explanation (at most 500 characters, no personal data). Appends signal.reviewed with the " +
                "text's SHA-256; the text is kept beside the log, published, and may later be redacted. 422 for an unknown signal " +
                "(signal.review-unknown), an illegal transition (signal.review-transition) or a refused text (explanation.*).")
            .Accepts<SignalReviewRequest>("application/json").Produces<SignalReviewResponse>(201)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(422);
        staff.MapPost("/explanations/{sha256}/redaction", Redact)
            .WithSummary("Redact a published explanation that turned out to hold personal data: its text is no longer served, its hash stays in the " +
                "log, and the public view shows it as redacted. Repeating it changes nothing (204).")
            .Produces(204).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);

        var pub = v1.MapGroup("/public").WithTags("Public").AllowAnonymous();
        pub.MapGet("/signals", Document)
            .WithSummary("The signals of the current public snapshot as canonical JSON (SPEC §17): each with its kind, subject, the entries behind it, " +
                "its status and review timeline (explanations as hashes), and the summary. kq verify recomputes the same bytes from the log.")
            .Produces(200, contentType: "application/json").Produces(304).ProducesProblem(503);
        pub.MapGet("/signals/explanations", Explanations)
            .WithSummary("The explanation texts the signals cite, by SHA-256 (a redacted one with text null); check each against its hash.")
            .Produces<PublicExplanations>(200).ProducesProblem(503);
        pub.MapGet("/signals/{id}", One)
            .WithSummary("One signal as in the signals document, with the texts of its explanations.")
            .Produces(200, contentType: "application/json").ProducesProblem(404).ProducesProblem(503);
        pub.MapGet("/signals.atom", Feed)
            .WithSummary("The signals as an Atom feed (RFC 4287): one entry per signal, updated at its last review, with status and explanations.")
            .Produces(200, contentType: "application/atom+xml").ProducesProblem(503);
        return v1;
    }

    private static async Task<IResult> Review(string id, HttpContext http, LiveLog log, Pseudonyms pseudonyms, PublicProjection projection,
        ISignalExplanationStore explanations, SignalReviewGate gate, IClock clock)
    {
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return problem;
        using var _ = doc;
        var f = new JsonFields();
        var status = f.String(doc!.RootElement, "$", "status");
        var outcome = f.String(doc.RootElement, "$", "outcome");
        var text = f.String(doc.RootElement, "$", "explanation");
        if (RequestJson.ProblemsOf(f) is { } invalid) return invalid;
        if (ExplanationScreen.Check(text!, "$.explanation") is { } refused) return ApiProblems.Unprocessable([refused]);

        var role = CommandEndpoint.RoleOf(http.User, InspectorRole);
        var actor = pseudonyms.Actor(http.User, role);
        var (key, badKey) = CommandEndpoint.IdempotencyKey(http.Request, actor);
        if (badKey is not null) return badKey;
        var review = new SignalReviewed(id, status!, outcome!, ExplanationScreen.HashOf(text!));

        CommandResult result;
        using (await gate.EnterAsync(http.RequestAborted))
        {
            // The ledger must have seen every committed entry, earlier reviews above all, before it judges this one.
            await projection.CatchUpAsync(http.RequestAborted);
            var check = projection.Read(m => m.Signals.CheckReview(review));
            if (check is null)
            {
                // The text first: a text whose entry never comes is harmless (only hashes the log cites are
                // served); an entry whose text is missing would be a public review nobody can read.
                var stored = await explanations.AddExplanationAsync(review.Explanation, text!, clock.GetCurrentInstant(), http.RequestAborted);
                if (stored.Redacted)
                    check = new ValidationProblem("$.explanation", "explanation.redacted", "This explanation was redacted before; write another.");
            }
            // A refusal is decided inside the command, so a retry with the same Idempotency-Key still gets the
            // first answer (the log replays it before deciding) rather than "illegal transition" against itself.
            result = await log.ExecuteAsync(new DelegateCommand(actor, key, (_, _) => check is null
                ? CommandDecision.Append(review, ApplicationsApi.Appended)
                : CommandDecision.Refuse(Refusal.Invalid, check)), http.RequestAborted);
        }
        if (!result.Accepted)
        {
            // The rules of signals and explanations refuse with 422; the fold's own checks (a status or outcome
            // it does not know) keep the statuses every command has.
            return result.Problems.Any(p => p.Code.StartsWith("signal.", StringComparison.Ordinal) || p.Code.StartsWith("explanation.", StringComparison.Ordinal)
                    || p.Code.StartsWith("reason.", StringComparison.Ordinal))
                ? ApiProblems.Unprocessable(result.Problems)
                : ApiProblems.From(result);
        }
        await projection.CatchUpAsync(http.RequestAborted);
        var view = projection.Read(m => m.Signals.Find(id));
        if (result.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
        return TypedResults.Json(new SignalReviewResponse(result.Seq!.Value, id, view?.Status ?? status!, view is null ? null : ViewJson(view)),
            PublicJsonOptions, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> Redact(string sha256, ISignalExplanationStore explanations, IClock clock, CancellationToken ct)
    {
        if (!IsHash(sha256)) return ApiProblems.Validation("$path.sha256", "explanation.hash", "Give the explanation's SHA-256 as 64 lower-case hex digits.");
        return await explanations.RedactExplanationAsync(sha256, clock.GetCurrentInstant(), ct) switch
        {
            RedactionOutcome.Unknown => ApiProblems.NotFound("$path.sha256", "explanation.unknown", "No explanation with this hash is stored."),
            _ => TypedResults.NoContent(),
        };
    }

    private static IResult Document(HttpContext http, PublicProjection projection) =>
        projection.Snapshot is { } s ? PublicQueueApi.Cached(http, s.ETag, s.Signals.Json) : PublicQueueApi.NotReady();

    private static async Task<IResult> Explanations(PublicProjection projection, ISignalExplanationStore explanations, CancellationToken ct)
    {
        if (projection.Snapshot is not { } s) return PublicQueueApi.NotReady();
        var texts = await explanations.GetExplanationsAsync(s.Signals.CitedHashes, ct);
        return TypedResults.Json(PublicExplanations.Of(s.Signals.CitedHashes, texts), PublicJsonOptions);
    }

    private static async Task<IResult> One(string id, PublicProjection projection, ISignalExplanationStore explanations, CancellationToken ct)
    {
        if (projection.Snapshot is not { } s) return PublicQueueApi.NotReady();
        if (!s.Signals.ById.TryGetValue(id, out var one)) return ApiProblems.NotFound("$path.id", "signal.unknown", $"There is no signal '{ApiProblems.Bounded(id, 40)}'.");
        var hashes = one.View.Timeline.Select(t => t.Explanation).Distinct(StringComparer.Ordinal).ToList();
        var texts = await explanations.GetExplanationsAsync(hashes, ct);
        using var signal = JsonDocument.Parse(one.Json);
        return TypedResults.Json(new PublicSignal(signal.RootElement.Clone(), PublicExplanations.Of(hashes, texts).Explanations), PublicJsonOptions);
    }

    private static async Task<IResult> Feed(HttpContext http, PublicProjection projection, ISignalExplanationStore explanations, CheckpointSigner signer, IClock clock)
    {
        if (projection.Snapshot is not { } s) return PublicQueueApi.NotReady();
        var texts = await explanations.GetExplanationsAsync(s.Signals.CitedHashes, http.RequestAborted);
        var site = new Uri($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/");
        // Feed readers poll: a minute's caching is plenty for a status that changes a few times a day.
        http.Response.Headers.CacheControl = "public, max-age=60";
        return TypedResults.Bytes(SignalsFeed.Write(s.Signals.Document, texts, site, signer.Origin, clock.GetCurrentInstant()), SignalsFeed.ContentType);
    }

    /// <summary>The signal as the signals document writes it (canonical bytes, SPEC §17), for the reviewer's answer.</summary>
    private static JsonElement ViewJson(SignalView view)
    {
        var w = new CanonicalJsonWriter(1024);
        SignalsJson.WriteSignal(w, view);
        using var parsed = JsonDocument.Parse(w.ToArray());
        return parsed.RootElement.Clone();
    }

    private static bool IsHash(string s) => s.Length == 64 && s.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    private static readonly JsonSerializerOptions PublicJsonOptions = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
    };
}

/// <summary>Body of a review: a status, a code of the criteria's 'signalOutcome' list, and the public explanation.</summary>
public sealed record SignalReviewRequest(string Status, string Outcome, string Explanation);

/// <summary>A review appended: its entry, the signal, its status now and its view (timeline, first response) as the signals document has it.</summary>
public sealed record SignalReviewResponse(long Seq, string Signal, string Status, JsonElement? View);

/// <summary>A published explanation: its hash, its text (null once redacted) and whether it was redacted.</summary>
public sealed record PublicExplanation(string Sha256, string? Text, bool Redacted);

/// <summary>The explanation texts, in hash order; a hash the log cites whose text is not stored has text null and redacted false.</summary>
public sealed record PublicExplanations(IReadOnlyList<PublicExplanation> Explanations)
{
    public static PublicExplanations Of(IEnumerable<string> hashes, IReadOnlyDictionary<string, SignalExplanation> texts) =>
        new([.. hashes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(h => texts.TryGetValue(h, out var e) ? new PublicExplanation(h, e.Text, e.Redacted) : new PublicExplanation(h, null, false))]);
}

/// <summary>One signal: the signal exactly as in the signals document, and its explanations.</summary>
public sealed record PublicSignal(JsonElement Signal, IReadOnlyList<PublicExplanation> Explanations);
