using KinderQueue.Api.PublicLog;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Log;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;

namespace KinderQueue.Api.Public;

/// <summary>
/// A parent's receipt (SPEC.md §14.3): the application's log entry, exactly as hashed, with its
/// inclusion proof in the tree of the latest signed checkpoint and that checkpoint. Anyone holding
/// it can check, with the published key alone, that the entry is in the log the service signed:
/// SHA-256(0x00 ‖ entry) is the entry hash, the proof leads from it to the checkpoint's root, and the
/// signature covers that root.
/// </summary>
public sealed class ReceiptIssuer(ILogStore store, LiveLog log, CheckpointBoard board, CheckpointIssuer issuer)
{
    /// <summary>How long a receipt request waits for a checkpoint that covers a fresh entry (the issuer looks every second).</summary>
    public static readonly TimeSpan CheckpointWait = TimeSpan.FromSeconds(3);

    /// <summary>The receipt as canonical JSON; null if no checkpoint covers the entry within <see cref="CheckpointWait"/>.</summary>
    public async Task<byte[]?> IssueAsync(long seq, CancellationToken ct)
    {
        var checkpoint = board.Latest;
        if (checkpoint is null || checkpoint.Checkpoint.Size <= seq)
        {
            // A parent who just applied asks for a receipt at once: ask for a checkpoint and wait for it.
            issuer.RequestSoon();
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(CheckpointWait);
            try
            {
                checkpoint = await board.CoveringAsync(seq + 1, wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return null;
            }
        }
        byte[]? entry = null;
        await foreach (var stored in store.ReadAsync(seq, seq + 1, ct).ConfigureAwait(false)) entry = stored.ToLogEntry().ToBytes();
        if (entry is null) return null;
        var size = checkpoint.Checkpoint.Size;
        // The checkpoint may come from another replica, ahead of what this one folded.
        var tree = await log.TreeCoveringAsync(size, ct).ConfigureAwait(false);
        if (tree.Count < size) return null;
        var hash = MerkleHash.Leaf(entry);
        // The instance signs only what it folded: an entry read back differently is a fault, not a receipt.
        if (!hash.AsSpan().SequenceEqual(tree.LeafHash(seq)))
            throw new LogCorruptException(seq, "read back differs from the folded leaf");

        var w = new CanonicalJsonWriter(entry.Length * 2 + 2048);
        w.StartObject();
        w.Key("checkpoint");
        w.Raw(checkpoint.Json);
        w.Property("entry", System.Text.Encoding.UTF8.GetString(entry));
        w.Property("entryHash", Hex.Encode(hash));
        w.Property("index", seq);
        w.Key("proof");
        w.StartArray();
        foreach (var node in tree.InclusionProof(seq, size)) w.String(Hex.Encode(node));
        w.EndArray();
        w.Property("size", size);
        w.EndObject();
        return w.ToArray();
    }
}
