using KinderQueue.Api.Auth;
using KinderQueue.Api.Hosting;
using KinderQueue.Api.Public;
using KinderQueue.Core;
using KinderQueue.Core.Encoding;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// The anonymous public side of the queue, for parents and for everyone: a parent's position with
/// its history (number and access code in a POST body, never in a URL), a receipt that proves the
/// application is in the log, the dashboard and each kindergarten's figures. Nothing here names a
/// person; every count of the queue tables (kindergarten × age group × tier) is small-cell suppressed.
/// </summary>
public static class PublicQueueApi
{
    private const string LookupNotes =
        "Every answer, refusals included, is Cache-Control: no-store. 429 with Retry-After when the address has made too many lookups " +
        "or wrong guesses, or when too many wrong codes were tried for the number from anywhere (the right code gets through after the wait).";

    /// <summary>The lookups whose answers are one family's: never to be stored by a browser, proxy or CDN.</summary>
    private static readonly PathString[] PrivateLookups = ["/api/v1/public/positions", "/api/v1/public/receipts"];

    /// <summary>
    /// A position or receipt is one family's private answer, looked up with a secret: no cache may
    /// keep a copy, of the answer or of a refusal (issue 17). A middleware, placed first, so that it
    /// also covers what answers before the handler (admission control's 503, the 413 of an oversize
    /// body, the exception handler); set when the headers go out, so a cleared response keeps it.
    /// </summary>
    public static IApplicationBuilder UseNoStoreForLookups(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (PrivateLookups.Any(p => http.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase)))
        {
            http.Response.OnStarting(() =>
            {
                http.Response.Headers.CacheControl = "no-store";
                return Task.CompletedTask;
            });
        }
        return next(http);
    });

    public static RouteGroupBuilder MapPublicQueueApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/public").WithTags("Public").AllowAnonymous();
        group.MapPost("/positions", Position)
            .WithSummary("A parent's status, position per listed kindergarten, history of changes with reasons, offer and projection. " + LookupNotes)
            .Accepts<LookupRequest>("application/json")
            .Produces<PositionReport>(200).ProducesProblem(400).ProducesProblem(404).ProducesProblem(429);
        group.MapPost("/receipts", Receipt)
            .WithSummary("The application's log entry with an inclusion proof against the latest signed checkpoint. " + LookupNotes)
            .Accepts<LookupRequest>("application/json")
            .Produces<ApplicationReceipt>(200).ProducesProblem(400).ProducesProblem(404).ProducesProblem(429);
        group.MapPost("/offer-response", RespondToOffer).AcceptsIdempotencyKey()
            .WithSummary("A parent answers the open offer with the application's number and access code: accept or decline. Recorded like the staff answer (offer.responded), under the application's parent pseudonym; 409 offer.none when no offer is open.")
            .Accepts<PublicOfferResponseRequest>("application/json")
            .Produces<AppendedResponse>(200).ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(429);
        group.MapGet("/dashboard", Dashboard)
            .WithSummary("Anonymised statistics: queues by district, kindergarten, age group and tier; waiting times; dynamics; share allocated by the algorithm (exact), months and channels (exact). Queue-table cells below 5 are suppressed, also against subtraction.")
            .Produces(200, contentType: "application/json").Produces(304).ProducesProblem(503);
        group.MapGet("/kindergartens", Kindergartens)
            .WithSummary("Every kindergarten with its district, seats and queue (suppressed).")
            .Produces(200, contentType: "application/json").Produces(304).ProducesProblem(503);
        group.MapGet("/kindergartens/{id}", Kindergarten)
            .WithSummary("One kindergarten: seats, offers made, queue by tier, movement over recent months.")
            .Produces(200, contentType: "application/json").Produces(304).ProducesProblem(404).ProducesProblem(503);
        return v1;
    }

    private static async Task<IResult> Position(HttpContext http, PublicProjection projection, AccessCodes codes, LookupGuard guard)
    {
        var (number, failure) = await AuthenticateAsync(http, codes, guard);
        if (failure is not null) return failure;
        var snapshot = projection.Snapshot;
        if (snapshot is null) return NotReady();
        var report = projection.Read(m => PositionReportJson.Write(m, snapshot, number!));
        if (report is null)
        {
            // The code matched a stored application, so it is committed: the projection is a moment
            // behind the writer (a lookup right after the 201). Catch up rather than answer 404.
            await projection.CatchUpAsync(http.RequestAborted);
            report = projection.Read(m => PositionReportJson.Write(m, projection.Snapshot ?? snapshot, number!));
        }
        return report is null ? NoSuchApplication() : TypedResults.Bytes(report, "application/json");
    }

    private static async Task<IResult> Receipt(HttpContext http, PublicProjection projection, AccessCodes codes, LookupGuard guard, ReceiptIssuer receipts)
    {
        var (number, failure) = await AuthenticateAsync(http, codes, guard);
        if (failure is not null) return failure;
        var seq = projection.Read(m => m.State.Applications.TryGetValue(number!, out var a) ? a.Seq : -1);
        if (seq < 0)
        {
            // As for positions: an authenticated number is committed, so follow the writer first.
            await projection.CatchUpAsync(http.RequestAborted);
            seq = projection.Read(m => m.State.Applications.TryGetValue(number!, out var a) ? a.Seq : -1);
        }
        if (seq < 0) return NoSuchApplication();
        var receipt = await receipts.IssueAsync(seq, http.RequestAborted);
        if (receipt is null)
        {
            // A checkpoint covering the entry is on its way (the issuer looks every second).
            http.Response.Headers.RetryAfter = "2";
            return ApiProblems.Unavailable("No signed checkpoint covers this application yet; one is being issued. Try again in two seconds.");
        }
        return TypedResults.Bytes(receipt, "application/json");
    }

    /// <summary>
    /// The parent's answer to the offer, authenticated like a position lookup (number and access code
    /// in the body, under the same rate limits), and recorded by the same command as the staff
    /// endpoint's. The site's offer text says the parent can answer "on the portal": this is that way.
    /// </summary>
    private static async Task<IResult> RespondToOffer(HttpContext http, PublicProjection projection, AccessCodes codes, LookupGuard guard,
        LiveLog log, Pseudonyms pseudonyms, ILogStore store)
    {
        // The answer changes the application: nothing between may keep it.
        http.Response.Headers.CacheControl = "no-store";
        string? response = null;
        var (number, failure) = await AuthenticateAsync(http, codes, guard, (root, f) =>
        {
            response = f.String(root, "$", "response");
            if (response is not null && response is not ("accept" or "decline"))
                f.Add("$.response", "field.value", "'response' must be accept or decline.");
        });
        if (failure is not null) return failure;
        var actor = await ParentActorAsync(number!, http, projection, pseudonyms, store);
        if (actor is null) return NoSuchApplication();
        // The key is scoped to the application's parent actor, as a signed-in parent's is to the account.
        var (key, keyProblem) = CommandEndpoint.IdempotencyKey(http.Request, actor);
        if (keyProblem is not null) return keyProblem;
        return await CommandEndpoint.ExecuteAsync(log, ApplicationsApi.OfferResponse(actor, key, number!, response == "accept"),
            StatusCodes.Status200OK, http.RequestAborted);
    }

    /// <summary>
    /// Who answers, as the log records it (SPEC.md §6.1: a parent actor is the same on every entry
    /// of one application): the parent actor of the application's submission when a parent filed
    /// it, otherwise (filed by an operator) the code holder's pseudonym of this application. Null
    /// when the application is not in the log.
    /// </summary>
    private static async Task<string?> ParentActorAsync(string number, HttpContext http, PublicProjection projection, Pseudonyms pseudonyms, ILogStore store)
    {
        var seq = projection.Read(m => m.State.Applications.TryGetValue(number, out var a) ? a.Seq : -1);
        if (seq < 0)
        {
            // As for positions: an authenticated number is committed, so follow the writer first.
            await projection.CatchUpAsync(http.RequestAborted);
            seq = projection.Read(m => m.State.Applications.TryGetValue(number, out var a) ? a.Seq : -1);
        }
        if (seq < 0) return null;
        await foreach (var entry in store.ReadAsync(seq, seq + 1, http.RequestAborted))
            if (entry.Actor.StartsWith($"{Roles.Parent}:", StringComparison.Ordinal)) return entry.Actor;
        return pseudonyms.CodeHolder(number);
    }

    private static IResult Dashboard(HttpContext http, PublicProjection projection) =>
        projection.Snapshot is { } s ? Cached(http, s.ETag, s.DashboardJson, s.DashboardGzip) : NotReady();

    private static IResult Kindergartens(HttpContext http, PublicProjection projection) =>
        projection.Snapshot is { } s ? Cached(http, s.ETag, s.KindergartensJson, s.KindergartensGzip) : NotReady();

    private static IResult Kindergarten(string id, HttpContext http, PublicProjection projection)
    {
        if (projection.Snapshot is not { } s) return NotReady();
        return s.KindergartenJson.TryGetValue(id, out var json)
            ? Cached(http, s.ETag, json)
            : ApiProblems.NotFound($"Kindergarten '{id}' is not registered.");
    }

    /// <summary>
    /// The number and access code from the body, checked under the rate limits. A wrong code, an
    /// unknown number and an erased record all get the same 404, so nobody learns which it was.
    /// </summary>
    private static async Task<(string? Number, IResult? Failure)> AuthenticateAsync(HttpContext http, AccessCodes codes, LookupGuard guard,
        Action<System.Text.Json.JsonElement, JsonFields>? readMore = null)
    {
        var client = LookupGuard.ClientOf(http);
        if (guard.Admit(client) is { } wait) return (null, TooManyLookups(http, wait));
        var (doc, problem) = await RequestJson.ReadAsync(http.Request, http.RequestAborted);
        if (problem is not null) return (null, problem);
        using var _ = doc;
        var f = new JsonFields();
        var number = f.String(doc!.RootElement, "$", "number");
        var code = f.String(doc.RootElement, "$", "accessCode");
        if (number is { Length: > 64 }) f.Add("$.number", "field.too-long", "At most 64 characters.");
        if (code is { Length: > 64 }) f.Add("$.accessCode", "field.too-long", "At most 64 characters.");
        readMore?.Invoke(doc.RootElement, f);
        if (RequestJson.ProblemsOf(f) is { } invalid) return (null, invalid);
        // People copy numbers with spaces or in lower case; the number itself is upper case.
        var normalised = number!.Trim().ToUpperInvariant();
        if (guard.AdmitNumber(normalised) is { } delay) return (null, TooManyGuesses(http, delay));
        if (await codes.MatchesAsync(normalised, code!, http.RequestAborted))
        {
            guard.Succeeded(normalised);
            return (normalised, null);
        }
        guard.Failed(client, normalised);
        return (null, NoSuchApplication());
    }

    public static ProblemHttpResult NoSuchApplication() =>
        ApiProblems.NotFound("No application matches this number and access code. Check both and try again.");

    private static ProblemHttpResult TooManyLookups(HttpContext http, TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ApiProblems.TooManyRequests($"Too many lookups from your address. Try again in {seconds} seconds.");
    }

    /// <summary>Too many wrong codes for this number, from anyone (LookupGuard): wait, then the right code gets through.</summary>
    public static ProblemHttpResult TooManyGuesses(HttpContext http, TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ApiProblems.TooManyRequests($"Too many wrong access codes were tried for this number. Try again in {seconds} seconds, " +
            "or ask at a service centre.");
    }

    internal static ProblemHttpResult NotReady() => ApiProblems.Unavailable("The public figures are being prepared. Try again in a few seconds.");

    /// <summary>
    /// Bytes that change only when the log grows (or the date turns): an ETag lets clients and proxies
    /// skip them. With a precompressed copy, a client that accepts gzip gets it (its own ETag, since
    /// it is another representation; Vary tells caches to keep the two apart).
    /// </summary>
    internal static IResult Cached(HttpContext http, string etag, byte[] json, byte[]? gzip = null)
    {
        var compressed = gzip is not null && HttpCaching.Accepts(http.Request, "gzip");
        if (gzip is not null) http.Response.Headers.Vary = HeaderNames.AcceptEncoding;
        if (HttpCaching.NotModified(http, compressed ? $"\"{etag}-gzip\"" : $"\"{etag}\"", "public, max-age=0, must-revalidate"))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        if (!compressed) return TypedResults.Bytes(json, "application/json; charset=utf-8");
        http.Response.Headers.ContentEncoding = "gzip";
        return TypedResults.Bytes(gzip!, "application/json; charset=utf-8");
    }

}

/// <summary>A receipt (SPEC.md §14.3), for the OpenAPI document; the endpoint writes it as canonical JSON with these names.</summary>
public sealed record ApplicationReceipt(CheckpointDocument Checkpoint, string Entry, string EntryHash, long Index, IReadOnlyList<string> Proof, long Size);

/// <summary>Body of the lookups: the number and the access code the parent received, never in a URL.</summary>
public sealed record LookupRequest(string Number, string AccessCode);

/// <summary>Body of the parent's answer to an offer: the lookup's number and access code, and "accept" or "decline".</summary>
public sealed record PublicOfferResponseRequest(string Number, string AccessCode, string Response);
