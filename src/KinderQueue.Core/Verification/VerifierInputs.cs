using System.Collections.Immutable;
using KinderQueue.Core.Log;

namespace KinderQueue.Core.Verification;

/// <summary>A signed checkpoint document exactly as published (SPEC.md §11.2 JSON or §11.2a note), and where it came from (a file, a URL).</summary>
public sealed record CheckpointEvidence(string Subject, ReadOnlyMemory<byte> Json);

/// <summary>
/// What a verification run checks the log against, besides the published rules.
/// </summary>
public sealed class VerifierSettings
{
    /// <summary>
    /// The checkpoint key as its 91-byte SPKI (SPEC.md §11.1): every checkpoint must be signed by it.
    /// Required when there is any checkpoint to check.
    /// </summary>
    public ReadOnlyMemory<byte> TrustedKey { get; init; }

    /// <summary>
    /// The C2SP note verifier key (SPEC.md §11.2a): every checkpoint note must carry its signature
    /// and name its origin. Required when there is a note among the checkpoints.
    /// </summary>
    public SignedNote.VerifierKey? NoteKey { get; init; }

    /// <summary>
    /// Checkpoints published by the service or given by the validator, in either form (a JSON
    /// checkpoint, §11.2, or a signed note, §11.2a): their roots and heads must be those of the log.
    /// </summary>
    public ImmutableArray<CheckpointEvidence> Checkpoints { get; init; } = [];

    /// <summary>Checkpoints the validator saved on earlier runs: the log must still contain exactly what each covered.</summary>
    public ImmutableArray<CheckpointEvidence> Saved { get; init; } = [];

    /// <summary>A published dashboard (the canonical bytes of <c>/public/dashboard</c>) to recompute at its basis and date; null for none.</summary>
    public CheckpointEvidence? Dashboard { get; init; }

    /// <summary>A published signals document (the canonical bytes of <c>/public/signals</c>, SPEC.md §17.5) to compare at its size; null for none.</summary>
    public CheckpointEvidence? Signals { get; init; }

    /// <summary>Threads that read lines at once (hashing, parsing, decoding); the fold is sequential whatever this is.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Batches smaller than this are read on the caller's thread (starting threads would cost more); tests lower it.</summary>
    internal int MinParallelBatch { get; init; } = 256;

    /// <summary>Lines checked in order while the next slice is read; tests make it tiny so that every batch has many slices.</summary>
    internal int Slice { get; init; } = 2048;
}
