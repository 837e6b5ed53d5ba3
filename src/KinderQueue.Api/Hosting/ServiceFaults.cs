using KinderQueue.Storage.Appending;

namespace KinderQueue.Api.Hosting;

/// <summary>
/// What a client hears when a request fails for a reason of the service rather than of the request:
/// each fault as what it is (RFC 9457 problem with a stable code), never a generic "retry", and a
/// Retry-After only where retrying soon can help. Nothing of the failed request was stored.
/// </summary>
internal static class ServiceFaults
{
    internal sealed record Fault(int Status, string Code, string Title, string Detail, int? RetryAfterSeconds);

    public static Fault? Describe(Exception ex) => ex switch
    {
        StorageFullException => new(StatusCodes.Status507InsufficientStorage, "storage.full",
            "The queue cannot store anything right now: its database's storage is full.",
            "Nothing of this request was stored. The operators are alerted; retry later with the same Idempotency-Key. Lookups and public pages still work.",
            60),
        LogUnavailableException => new(StatusCodes.Status503ServiceUnavailable, "log.rebuilding",
            "This instance is rebuilding its copy of the queue after a write that did not complete, and the database does not answer yet.",
            "Nothing was recorded. Retry in a few seconds with the same Idempotency-Key.", 2),
        LogCorruptException => new(StatusCodes.Status503ServiceUnavailable, "log.does-not-verify",
            "This instance stopped serving: the stored log does not verify.",
            "Nothing was recorded. The operators are alerted; another instance may answer.", null),
        System.Data.Common.DbException or TimeoutException => new(StatusCodes.Status503ServiceUnavailable, "database.unavailable",
            "The queue's database does not answer right now.",
            "Nothing was recorded. Retry in a few seconds with the same Idempotency-Key.", 2),
        _ => null,
    };

    public static int StatusCode(Exception ex) =>
        Describe(ex)?.Status ?? (ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);
}
