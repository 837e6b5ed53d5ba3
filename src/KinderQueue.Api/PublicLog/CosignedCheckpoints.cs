using System.Security.Cryptography;
using KinderQueue.Core.Log;
using KinderQueue.Storage;

namespace KinderQueue.Api.PublicLog;

/// <summary>
/// The witnesses' cosignatures of the latest checkpoint, in memory, and the note served with them:
/// the log's signed note with one more signature line per cosignature (the signed-note format lets
/// any number of signatures ride along; verifiers ignore the keys they do not know).
/// Filled by the <see cref="WitnessSubmitter"/> from what it gathers and from the database, so a
/// replica serves the cosignatures another replica gathered too.
/// </summary>
public sealed class CosignedCheckpoints
{
    private Entry? _latest;

    private sealed record Entry(long Size, IReadOnlyList<StoredCosignature> Cosignatures);

    /// <summary>Makes these the cosignatures of the checkpoint of <paramref name="size"/> (one of an older checkpoint is dropped).</summary>
    public void Set(long size, IReadOnlyList<StoredCosignature> cosignatures)
    {
        ArgumentNullException.ThrowIfNull(cosignatures);
        var current = Volatile.Read(ref _latest);
        if (current is not null && current.Size > size) return;
        if (current is not null && current.Size == size && current.Cosignatures.Count >= cosignatures.Count && cosignatures.All(c => current.Cosignatures.Contains(c))) return;
        Volatile.Write(ref _latest, new Entry(size, [.. cosignatures.OrderBy(c => c.Witness, StringComparer.Ordinal)]));
    }

    /// <summary>Adds one cosignature of the checkpoint of <paramref name="size"/>.</summary>
    public void Add(long size, StoredCosignature cosignature)
    {
        var current = Volatile.Read(ref _latest);
        var list = current is not null && current.Size == size ? current.Cosignatures.Where(c => c.Witness != cosignature.Witness).Append(cosignature).ToList() : [cosignature];
        Set(size, list);
    }

    /// <summary>The cosignatures held for the checkpoint of <paramref name="size"/>.</summary>
    public IReadOnlyList<StoredCosignature> For(long size) => Volatile.Read(ref _latest) is { } e && e.Size == size ? e.Cosignatures : [];

    /// <summary>The note of <paramref name="checkpoint"/> with its cosignature lines, and the ETag of those bytes.</summary>
    public (byte[] Note, string ETag) NoteOf(PublishedCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var note = checkpoint.Note ?? throw new ArgumentException("The checkpoint has no note.", nameof(checkpoint));
        var lines = For(checkpoint.Checkpoint.Size);
        if (lines.Count == 0) return (note, checkpoint.ETag);
        byte[] full = [.. note, .. System.Text.Encoding.UTF8.GetBytes(string.Concat(lines.Select(c => c.Line + "\n")))];
        return (full, $"\"{Hex.Encode(SHA256.HashData(full).AsSpan(0, 16))}\"");
    }
}
