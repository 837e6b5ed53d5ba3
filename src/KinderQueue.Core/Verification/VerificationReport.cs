using System.Collections.Immutable;
using KinderQueue.Core.Log;

namespace KinderQueue.Core.Verification;

/// <summary>
/// The outcome of a run: how far the log verified, what was checked, and the first problem if any.
/// <see cref="Size"/>, <see cref="Head"/> and <see cref="Root"/> describe the entries that passed
/// every check before the problem (all of them when the log is intact).
/// </summary>
public sealed record VerificationReport(
    long Size,
    string Head,
    string Root,
    VerificationFinding? Problem,
    ImmutableArray<CheckedCheckpoint> Checkpoints,
    int DecisionsRecomputed,
    bool DashboardCompared,
    ReplayTotals Totals)
{
    public bool Intact => Problem is null;

    /// <summary>
    /// The largest published checkpoint whose signature, root and head all verified: what a
    /// validator saves so that the next run can prove the log only grew. Null when none did, or when a problem was found.
    /// </summary>
    public SignedCheckpoint? Latest { get; init; }

    /// <summary>Its bytes exactly as published.</summary>
    public ReadOnlyMemory<byte> LatestJson { get; init; }

    /// <summary>
    /// The entries after the largest checkpoint checked, when the log is intact and there are any:
    /// they passed every check, but no signature covers them yet (normal for a live log read
    /// between two checkpoints; the next checkpoint will cover them or prove them changed).
    /// </summary>
    public UnsignedTail? UnsignedTail { get; init; }

    /// <summary>Whether a published signals document was compared with the recomputed one and equal (or, with a problem, compared at all).</summary>
    public bool SignalsCompared { get; init; }

    /// <summary>The signals recomputed from the entries verified (SPEC.md §17.5); null for a report built elsewhere.</summary>
    public KinderQueue.Core.Signals.SignalsDocument? Signals { get; init; }
}

/// <summary>Entries <see cref="From"/>..<see cref="From"/> + <see cref="Entries"/> − 1, verified but covered by no checkpoint checked.</summary>
public sealed record UnsignedTail(long From, long Entries);

/// <summary>A checkpoint whose signature, root and head matched the log.</summary>
public sealed record CheckedCheckpoint(string Subject, long Size, string Root, bool Saved);

/// <summary>
/// Totals recomputed from the log by the fold (SPEC.md §8): what the public statistics are built
/// from, printed when there is no published dashboard to compare with.
/// </summary>
public sealed record ReplayTotals(
    long Entries,
    ImmutableSortedDictionary<string, long> EntriesByType,
    ImmutableSortedDictionary<string, int> ApplicationsByStatus,
    int Decisions,
    long Offers,
    long Archived,
    int EnrolledByAlgorithm,
    int EnrolledOutsideAlgorithm);
