using KinderQueue.Api.Auth;
using KinderQueue.Api.Hosting;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;
using NodaTime;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// For authorised auditors: an application's private record with its salt and notes, so they can
/// check it against the public commitment in the log. Every such read names its purpose (a code of
/// <see cref="Purposes"/>) and is recorded with the reader and the time before anything is
/// returned; the number of reads per month is public (SPEC.md §16). The record is never part of
/// any public output.
/// </summary>
public static class AuditApi
{
    /// <summary>Why a person may read personal data; published in SPEC.md §16.</summary>
    public static readonly IReadOnlyList<string> Purposes =
        ["commitment-check", "complaint", "court-request", "data-subject-request", "inspection"];

    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/audit/applications/{number}", Commitment).WithTags("Audit").RequireAuthorization(Policies.Validator)
            .WithSummary("Private record, salt, notes and the commitment they produce, next to the commitment in the log. 'purpose' (query) is required; the read is recorded.")
            .Produces<CommitmentCheck>(200).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(503);
        v1.MapGet("/public/private-reads", Counts).WithTags("Public log").AllowAnonymous()
            .WithSummary("How many times people read personal data, per month (UTC) and purpose: every audit read is counted.")
            .Produces<PrivateReadsDocument>(200).Produces(StatusCodes.Status304NotModified).ProducesProblem(503);
        return v1;
    }

    private static async Task<IResult> Commitment(string number, string? purpose, HttpContext http, ILogStore store, LiveLog log,
        Pseudonyms pseudonyms, IClock clock, CancellationToken ct)
    {
        if (purpose is null || !Purposes.Contains(purpose))
            return ApiProblems.Validation("$query.purpose", "audit.purpose", $"Say why the record is read: 'purpose' is one of {string.Join(", ", Purposes)}.");
        var published = await log.ReadAsync((state, _) => state.Applications.TryGetValue(number, out var a) ? a.Seq : -1, ct);
        if (published < 0) return ApiProblems.NotFound($"Application {number} does not exist.");
        // Recorded first: a read that cannot be recorded does not happen.
        await store.RecordPrivateReadAsync(new PrivateRead(number, pseudonyms.Actor(http.User, Roles.Validator), purpose, clock.GetCurrentInstant()), ct);
        var record = await store.GetPrivateAsync(number, ct);
        if (record is null) return ApiProblems.NotFound($"Application {number} does not exist.");
        var notes = await store.GetNotesAsync(number, ct);
        string? inLog = null;
        await foreach (var e in store.ReadAsync(published, published + 1, ct))
            inLog = (EventCodec.Decode(e.Type, e.Payload).Value as ApplicationSubmitted)?.Commitment;
        var recomputed = record.Record is null ? null : Core.Events.Commitment.Compute(record.Salt, record.Record);
        return TypedResults.Ok(new CommitmentCheck(number, published, inLog, recomputed, record.Record is null,
            Hex.Encode(record.Salt), record.Record is null ? null : System.Text.Encoding.UTF8.GetString(record.Record),
            [.. notes.Select(n => new NoteDocument(n.Seq, n.Text))]));
    }

    private static async Task<IResult> Counts(HttpContext http, ILogStore store, CancellationToken ct)
    {
        var counts = await store.CountPrivateReadsAsync(ct);
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new PrivateReadsDocument(counts.Sum(c => c.Count),
            [.. counts.Select(c => new PrivateReadsMonth(c.Month, c.Purpose, c.Count))]), System.Text.Json.JsonSerializerOptions.Web);
        // The count changes with every read: clients revalidate, and an unchanged count costs no body.
        var etag = $"\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(json).AsSpan(0, 16))}\"";
        if (HttpCaching.NotModified(http, etag, "public, no-cache")) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Bytes(json, "application/json; charset=utf-8");
    }
}

public sealed record NoteDocument(long Seq, string Text);
public sealed record CommitmentCheck(string Number, long Seq, string? CommitmentInLog, string? Recomputed, bool Erased, string Salt, string? Record,
    NoteDocument[] Notes);
public sealed record PrivateReadsMonth(string Month, string Purpose, long Count);
public sealed record PrivateReadsDocument(long Total, PrivateReadsMonth[] Months);
