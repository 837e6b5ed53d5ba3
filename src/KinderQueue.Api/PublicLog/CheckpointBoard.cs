using System.Security.Cryptography;
using KinderQueue.Api.Public;
using KinderQueue.Core.Log;

namespace KinderQueue.Api.PublicLog;

/// <summary>A published checkpoint with its exact bytes and the ETag of those bytes.</summary>
public sealed class PublishedCheckpoint
{
    public PublishedCheckpoint(SignedCheckpoint signed, byte[]? note = null)
    {
        ArgumentNullException.ThrowIfNull(signed);
        Signed = signed;
        Note = note;
        Json = signed.ToJson();
        ETag = $"\"{Hex.Encode(SHA256.HashData(Json).AsSpan(0, 16))}\"";
    }

    public SignedCheckpoint Signed { get; }

    public Checkpoint Checkpoint => Signed.Checkpoint;

    /// <summary>The canonical JSON the API returns (SPEC.md §11.2).</summary>
    public byte[] Json { get; }

    public string ETag { get; }

    /// <summary>The same checkpoint as a C2SP signed note (SPEC.md §11.5), or null for one issued without.</summary>
    public byte[]? Note { get; }
}

/// <summary>
/// The latest checkpoint this instance issued, in memory. One issuer writes, every request reads;
/// the size never goes back (a checkpoint of a smaller log than the last one is refused).
/// </summary>
public sealed class CheckpointBoard
{
    private readonly PublicationSignal _published = new();
    private PublishedCheckpoint? _latest;

    /// <summary>Null only before the first checkpoint (the service issues one while it starts).</summary>
    public PublishedCheckpoint? Latest => Volatile.Read(ref _latest);

    public PublishedCheckpoint Publish(SignedCheckpoint signed, byte[]? note = null)
    {
        var published = new PublishedCheckpoint(signed, note);
        var previous = Latest;
        if (previous is not null && published.Checkpoint.Size < previous.Checkpoint.Size)
            throw new InvalidOperationException($"A checkpoint of {published.Checkpoint.Size} entries after one of {previous.Checkpoint.Size}.");
        Volatile.Write(ref _latest, published);
        _published.Published();
        return published;
    }

    /// <summary>The first published checkpoint of at least <paramref name="size"/> entries, as soon as there is one.</summary>
    public Task<PublishedCheckpoint> CoveringAsync(long size, CancellationToken ct) =>
        _published.WaitForAsync(() => Latest, c => c.Checkpoint.Size >= size, ct);
}
