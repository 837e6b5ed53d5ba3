using KinderQueue.Api.Hosting;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// For authorised auditors: an application's private record with its salt, so they can check it
/// against the public commitment in the log. Access is itself a fact worth knowing, so it is
/// logged by the host; the record is never part of any public output.
/// </summary>
public static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/audit/applications/{number}", Commitment).WithTags("Audit").RequireAuthorization(Policies.Validator)
            .WithSummary("Private record, salt and the commitment they produce, next to the commitment in the log.")
            .Produces<CommitmentCheck>(200).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        return v1;
    }

    private static async Task<IResult> Commitment(string number, ILogStore store, LiveLog log, ILogger<LiveLog> logger, CancellationToken ct)
    {
        var published = await log.ReadAsync((state, _) => state.Applications.TryGetValue(number, out var a) ? a.Seq : -1, ct);
        var record = await store.GetPrivateAsync(number, ct);
        if (published < 0 || record is null) return ApiProblems.NotFound($"Application {number} does not exist.");
        string? inLog = null;
        await foreach (var e in store.ReadAsync(published, published + 1, ct))
            inLog = (EventCodec.Decode(e.Type, e.Payload).Value as ApplicationSubmitted)?.Commitment;
        logger.LogInformation("Audit read of the private record of {Number}", number);
        var recomputed = record.Record is null ? null : Core.Events.Commitment.Compute(record.Salt, record.Record);
        return TypedResults.Ok(new CommitmentCheck(number, published, inLog, recomputed, record.Record is null,
            Hex.Encode(record.Salt), record.Record is null ? null : System.Text.Encoding.UTF8.GetString(record.Record)));
    }
}

public sealed record CommitmentCheck(string Number, long Seq, string? CommitmentInLog, string? Recomputed, bool Erased, string Salt, string? Record);
