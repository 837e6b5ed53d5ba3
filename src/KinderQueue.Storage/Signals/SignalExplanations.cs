using NodaTime;

namespace KinderQueue.Storage.Signals;

/// <summary>
/// A public explanation of a signal review as stored (table signal_explanations): the log's
/// <c>signal.reviewed</c> entry holds only <see cref="Sha256"/>; <see cref="Text"/> is null once redacted.
/// </summary>
public sealed record SignalExplanation(string Sha256, string? Text, Instant Created, bool Redacted, Instant? RedactedAt);

/// <summary>What a redaction found.</summary>
public enum RedactionOutcome
{
    /// <summary>The text was taken out now.</summary>
    Redacted,
    /// <summary>It had been taken out before; nothing changed.</summary>
    AlreadyRedacted,
    /// <summary>No explanation with that hash is stored.</summary>
    Unknown,
}

/// <summary>
/// The texts of signal explanations (issue 13, contract decision 5): public but erasable, so kept
/// beside the log, never in it. A text is stored before the entry that cites its hash is appended,
/// so a reviewed signal never lacks its text (a text without an entry is harmless: it is only ever
/// served for a hash the log cites).
/// </summary>
public interface ISignalExplanationStore
{
    /// <summary>
    /// Stores <paramref name="text"/> under <paramref name="sha256"/> unless a row with that hash exists;
    /// returns the stored row (the existing one, redacted or not, when there was one).
    /// </summary>
    Task<SignalExplanation> AddExplanationAsync(string sha256, string text, Instant at, CancellationToken ct);

    /// <summary>The stored explanations of <paramref name="hashes"/> (those that have one).</summary>
    Task<IReadOnlyDictionary<string, SignalExplanation>> GetExplanationsAsync(IReadOnlyCollection<string> hashes, CancellationToken ct);

    /// <summary>Every stored explanation, by hash (a region has at most a few thousand).</summary>
    Task<IReadOnlyList<SignalExplanation>> AllExplanationsAsync(CancellationToken ct);

    /// <summary>Replaces the text of <paramref name="sha256"/> by nothing and marks it redacted; the hash stays.</summary>
    Task<RedactionOutcome> RedactExplanationAsync(string sha256, Instant at, CancellationToken ct);
}

/// <summary>Row shape of signal_explanations reads; internal to Storage.</summary>
internal sealed class SignalExplanationRow
{
    public string Sha256 { get; set; } = "";
    public string? Text { get; set; }
    public long CreatedMs { get; set; }
    public bool Redacted { get; set; }
    public long? RedactedMs { get; set; }

    public SignalExplanation ToExplanation() =>
        new(Sha256, Text, Instant.FromUnixTimeMilliseconds(CreatedMs), Redacted, RedactedMs is { } ms ? Instant.FromUnixTimeMilliseconds(ms) : null);
}
