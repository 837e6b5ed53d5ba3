namespace KinderQueue.Core.Verification;

/// <summary>
/// The checks of a verification run (SPEC.md §15.1), in the order the issue and the spec list them.
/// A finding names the check that failed, so a validator knows what kind of thing went wrong.
/// </summary>
public enum VerificationCheck
{
    /// <summary>Sequence numbers from 0 without gaps, every line the canonical entry bytes, every prev the hash of the line before (§6.1–6.2).</summary>
    Entries,

    /// <summary>Each signed checkpoint: canonical, signed by the trusted key, and its root and head equal to those computed (§11.2).</summary>
    Checkpoints,

    /// <summary>Checkpoints the validator saved before: the log still contains exactly what they covered (it only grew).</summary>
    Growth,

    /// <summary>The fold accepts every entry and every decision is the one the rules compute from its basis (§8).</summary>
    Replay,

    /// <summary>A published dashboard equals the one recomputed from the log at its basis and date (§13.5).</summary>
    Statistics,

    /// <summary>Every signal review applies to a raised signal by an allowed move, and a published signals document equals the recomputed one (§17).</summary>
    Signals,
}

/// <summary>
/// What is wrong and where. <see cref="Seq"/> is the sequence number (position in the log) at which
/// the check failed, when the problem is tied to an entry; <see cref="Subject"/> names the document
/// involved otherwise (a checkpoint file, the published dashboard). <see cref="Path"/> is a JSON path
/// inside the entry line (entry checks), inside the payload (replay), or inside the document.
/// </summary>
public sealed record VerificationFinding(VerificationCheck Check, long? Seq, string Code, string Path, string Message, string? Subject = null)
{
    /// <summary>
    /// When the problem is somewhere in a range rather than at one entry (a signed root that the
    /// log's entries <see cref="From"/>..<see cref="Seq"/> do not reach, every link holding): the
    /// range's first entry. Null for a problem at one entry.
    /// </summary>
    public long? From { get; init; }

    public override string ToString() =>
        $"{Check} check failed{(From is { } f ? $" in entries {f}..{Seq}" : Seq is { } s ? $" at seq {s}" : "")}{(Subject is null ? "" : $" ({Subject})")}: {Message} [{Code} {Path}]";
}
