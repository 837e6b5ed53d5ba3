using KinderQueue.Core.Log;
using NodaTime;

namespace KinderQueue.Storage;

/// <summary>A log entry as stored: the entry fields plus its hash, so readers need not rehash to link.</summary>
public sealed record StoredEntry(long Seq, Instant At, string Actor, string Type, byte[] Payload, byte[] Prev, byte[] Hash)
{
    public LogEntry ToLogEntry() => new(Seq, At, Actor, Type, Payload, Prev);

    public static StoredEntry From(LogEntry entry, byte[] hash) =>
        new(entry.Seq, entry.At, entry.Actor, entry.Type, entry.Payload.ToArray(), entry.Prev.ToArray(), hash);
}

/// <summary>
/// A response kept for an idempotency key: a retried command gets it back. <see cref="Number"/> names
/// the private record the same command created, if any: a store keeps the response in that record's
/// row rather than in a row of its own (issue 16: one durable row fewer per submission).
/// </summary>
public sealed record StoredResponse(string Key, long? Seq, byte[] Response, string? Number = null);

/// <summary>
/// Personal data of one application, kept out of the log. <see cref="Record"/> is the canonical
/// private record whose salted hash the public event carries as its commitment; null once erased.
/// </summary>
public sealed record PrivateRecord(string Number, byte[] Salt, byte[]? Record, byte[] AccessHash, string? Owner, Instant? ErasedAt);

/// <summary>
/// Words a person typed about an entry (a verifier's remark, a parent's reason in their own words),
/// kept beside the entry in the private store and never in the log, whose event carries only a
/// published code (SPEC.md §4.6). <see cref="Number"/> ties it to an application, so that erasing the
/// application's personal data erases it too; null for notes on entries of no application.
/// </summary>
public sealed record PrivateNote(long Seq, string? Number, string Text);

/// <summary>One read of personal data by a person: who (role:pseudonym), why (a published purpose code), when.</summary>
public sealed record PrivateRead(string Number, string Actor, string Purpose, Instant At);

/// <summary>How many reads of personal data there were in one month (UTC, "yyyy-MM") for one purpose.</summary>
public sealed record PrivateReadCount(string Month, string Purpose, long Count);
