using KinderQueue.Core.Log;
using NodaTime;

namespace KinderQueue.Core.Verification;

/// <summary>
/// What a signed checkpoint says once its signature verified, whichever form it came in: the ECDSA
/// JSON document (SPEC.md §11.2) or the C2SP signed note (§11.2a). The log must have exactly this
/// root and head at this size. <see cref="Json"/> is set for the JSON form only: it is the form a
/// validator saves (the note adds nothing the JSON lacks, and old logs have only JSON).
/// </summary>
internal sealed record CheckpointClaim(string Subject, long Size, byte[] Root, byte[] Head, Instant Time, bool Saved, SignedCheckpoint? Json, ReadOnlyMemory<byte> Bytes)
{
    public string Kind => Json is null ? "note" : "checkpoint";
}

/// <summary>Tells the two published forms of a checkpoint apart, for callers that must know what they hold before verifying.</summary>
public static class CheckpointDocument
{
    /// <summary>A JSON checkpoint starts with '{'; a signed note (§11.2a) starts with its origin line.</summary>
    public static bool IsNote(ReadOnlySpan<byte> bytes) => bytes.Length > 0 && bytes[0] != (byte)'{';

    /// <summary>The size a checkpoint document claims, read without checking its signature (0 when unreadable): how far a live log must be read.</summary>
    public static long ClaimedSize(ReadOnlyMemory<byte> bytes)
    {
        if (!IsNote(bytes.Span)) return SignedCheckpoint.Parse(bytes) is { Success: true } p ? p.Value!.Checkpoint.Size : 0;
        return SignedNote.Parse(bytes.Span) is { Success: true } note && NoteCheckpoint.Parse(note.Value!.Text) is { Success: true } cp ? cp.Value!.Size : 0;
    }
}

/// <summary>Reads a checkpoint document of either form and checks its signature under the key the validator trusts for that form.</summary>
internal static class CheckpointClaims
{
    public static CheckpointClaim? Read(CheckpointEvidence evidence, bool saved, ReadOnlySpan<byte> trustedKey, SignedNote.VerifierKey? noteKey, out VerificationFinding? problem)
    {
        var check = saved ? VerificationCheck.Growth : VerificationCheck.Checkpoints;
        return CheckpointDocument.IsNote(evidence.Json.Span)
            ? ReadNote(evidence, saved, check, noteKey ?? throw new ArgumentException("A checkpoint note needs the note verifier key.", nameof(noteKey)), out problem)
            : ReadJson(evidence, saved, check, trustedKey, out problem);
    }

    private static CheckpointClaim? ReadJson(CheckpointEvidence evidence, bool saved, VerificationCheck check, ReadOnlySpan<byte> key, out VerificationFinding? problem)
    {
        problem = null;
        var parsed = SignedCheckpoint.Parse(evidence.Json);
        if (!parsed.Success)
        {
            var p = parsed.Problems[0];
            problem = new VerificationFinding(check, null, p.Code, p.Path, $"Not a checkpoint document: {p.Message}", evidence.Subject);
            return null;
        }
        var cp = parsed.Value!;
        if (!string.Equals(cp.Checkpoint.LogId, CheckpointKey.LogId(key), StringComparison.Ordinal))
        {
            problem = new VerificationFinding(check, null, "checkpoint.key", "$.logId",
                $"The checkpoint names log {cp.Checkpoint.LogId}, but the trusted key is that of log {CheckpointKey.LogId(key)}: it was signed by another key.", evidence.Subject);
            return null;
        }
        if (!cp.Verify(key))
        {
            problem = new VerificationFinding(check, null, "checkpoint.signature", "$.signature",
                $"The signature does not verify under the trusted key (log {cp.Checkpoint.LogId}): the checkpoint was not signed by that key, or was changed after signing.", evidence.Subject);
            return null;
        }
        var c = cp.Checkpoint;
        return new CheckpointClaim(evidence.Subject, c.Size, c.Root.ToArray(), c.Head.ToArray(), c.Time, saved, cp, evidence.Json);
    }

    private static CheckpointClaim? ReadNote(CheckpointEvidence evidence, bool saved, VerificationCheck check, SignedNote.VerifierKey key, out VerificationFinding? problem)
    {
        problem = null;
        var note = SignedNote.Parse(evidence.Json.Span);
        if (!note.Success)
        {
            var p = note.Problems[0];
            problem = new VerificationFinding(check, null, p.Code, p.Path, $"Not a signed note (c2sp.org/signed-note, SPEC.md §11.2a): {p.Message}", evidence.Subject);
            return null;
        }
        var text = NoteCheckpoint.Parse(note.Value!.Text);
        if (!text.Success)
        {
            var p = text.Problems[0];
            problem = new VerificationFinding(check, null, p.Code, p.Path, $"Not a checkpoint note (SPEC.md §11.2a): {p.Message}", evidence.Subject);
            return null;
        }
        var cp = text.Value!;
        // The key's name is the log's origin (§11.2a): a note of another origin is about another log.
        if (!string.Equals(cp.Origin, key.KeyName, StringComparison.Ordinal))
        {
            problem = new VerificationFinding(check, null, "checkpoint.origin", "$.origin",
                $"The note is about the log '{cp.Origin}', but the note key trusted is that of '{key.KeyName}'.", evidence.Subject);
            return null;
        }
        if (!key.Verifies(note.Value))
        {
            problem = new VerificationFinding(check, null, "checkpoint.signature", "$.signature",
                $"The note carries no valid signature of the note key {key.KeyName}+{key.KeyId:x8}: it was signed by another key, or changed after signing.", evidence.Subject);
            return null;
        }
        return new CheckpointClaim(evidence.Subject, cp.Size, cp.Root, cp.Head, cp.Time, saved, null, evidence.Json);
    }
}

/// <summary>
/// SPEC.md §11.2: a region issues one sequence of checkpoints, whose size grows and whose time never
/// decreases. So among the checkpoints a validator holds, a larger one is never older than a smaller
/// one; two that break this cannot both be honest, whatever the log says.
/// </summary>
internal static class CheckpointOrder
{
    /// <summary>The first pair out of order (by size), or null. Checkpoints of one size may carry any times.</summary>
    public static VerificationFinding? Check(IReadOnlyList<CheckpointClaim> claims)
    {
        CheckpointClaim? latestBelow = null; // the latest-timed claim of a smaller size than the current group
        CheckpointClaim? latestInGroup = null;
        long groupSize = -1;
        foreach (var c in claims.OrderBy(c => c.Size).ThenBy(c => c.Time))
        {
            if (c.Size != groupSize)
            {
                if (latestInGroup is not null && (latestBelow is null || latestInGroup.Time > latestBelow.Time)) latestBelow = latestInGroup;
                groupSize = c.Size;
                latestInGroup = null;
            }
            if (latestBelow is not null && c.Time < latestBelow.Time)
                return new VerificationFinding(c.Saved ? VerificationCheck.Growth : VerificationCheck.Checkpoints, null, "checkpoint.time", "$.time",
                    $"The {c.Kind} {c.Subject} covers {c.Size} entries at {Encoding.Formats.Format(c.Time)}, but the {latestBelow.Kind} {latestBelow.Subject} "
                    + $"covers only {latestBelow.Size} at the later {Encoding.Formats.Format(latestBelow.Time)}: a log's checkpoints never go back in time "
                    + "and never shrink (SPEC.md §11.2), so one of them was not issued by this log as it is.", c.Subject);
            if (latestInGroup is null || c.Time > latestInGroup.Time) latestInGroup = c;
        }
        return null;
    }
}
