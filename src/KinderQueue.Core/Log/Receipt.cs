using System.Collections.Immutable;
using System.Text.Json;
using KinderQueue.Core.Encoding;

namespace KinderQueue.Core.Log;

/// <summary>The outcome of checking a receipt: valid, or the first check that failed and why.</summary>
public sealed record ReceiptCheck(bool Valid, string? Failed, string Message)
{
    public static ReceiptCheck Fail(string check, string message) => new(false, check, message);
}

/// <summary>
/// A parent's receipt (SPEC.md §14.3): an application's log entry, its inclusion proof and the signed
/// checkpoint whose root the proof reaches. Checking it needs nothing but the checkpoint key: the
/// entry's hash, the proof, the signature, in that order. Every malformed input is a failed check,
/// never an exception, because receipts come from anyone.
/// </summary>
public sealed class Receipt
{
    private Receipt(SignedCheckpoint checkpoint, byte[] entry, string entryHash, long index, ImmutableArray<byte[]> proof, long size)
    {
        Checkpoint = checkpoint;
        Entry = entry;
        EntryHash = entryHash;
        Index = index;
        Proof = proof;
        Size = size;
    }

    public SignedCheckpoint Checkpoint { get; }

    /// <summary>The entry bytes (SPEC.md §6.1) the receipt says are in the log.</summary>
    public byte[] Entry { get; }

    public string EntryHash { get; }

    public long Index { get; }

    public ImmutableArray<byte[]> Proof { get; }

    public long Size { get; }

    /// <summary>Reads a receipt's JSON; a problem names the field.</summary>
    public static Parsed<Receipt> Parse(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object) return Parsed<Receipt>.Fail("$", "field.type", "A receipt is a JSON object.");
            if (!r.TryGetProperty("checkpoint", out var c) || c.ValueKind != JsonValueKind.Object)
                return Parsed<Receipt>.Fail("$.checkpoint", "field.missing", "'checkpoint' must be the signed checkpoint object.");
            // The signature covers the checkpoint's canonical bytes (SPEC.md §11.2), not the way the
            // receipt spells them: a receipt pretty-printed (jq .) or re-serialised is the same receipt.
            // So the checkpoint is re-canonicalised, then must be exactly the six members; any change of
            // a value still fails the signature.
            var canonical = CanonicalJson.Canonicalize(System.Text.Encoding.UTF8.GetBytes(c.GetRawText()));
            var checkpoint = canonical.Success ? SignedCheckpoint.Parse(canonical.Value) : Parsed<SignedCheckpoint>.Fail(canonical.Problems);
            if (!checkpoint.Success) return Parsed<Receipt>.Fail([.. checkpoint.Problems.Select(p => p with { Path = "$.checkpoint" + p.Path.TrimStart('$') })]);
            if (!r.TryGetProperty("entry", out var entry) || entry.ValueKind != JsonValueKind.String)
                return Parsed<Receipt>.Fail("$.entry", "field.missing", "'entry' must be the entry bytes as a string.");
            if (!r.TryGetProperty("entryHash", out var hash) || hash.ValueKind != JsonValueKind.String)
                return Parsed<Receipt>.Fail("$.entryHash", "field.missing", "'entryHash' must be 64 hex digits.");
            if (!r.TryGetProperty("index", out var index) || index.ValueKind != JsonValueKind.Number || !index.TryGetInt64(out var at) || at < 0)
                return Parsed<Receipt>.Fail("$.index", "field.type", "'index' must be a non-negative integer.");
            if (!r.TryGetProperty("size", out var size) || size.ValueKind != JsonValueKind.Number || !size.TryGetInt64(out var n) || n < 1)
                return Parsed<Receipt>.Fail("$.size", "field.type", "'size' must be a positive integer.");
            if (!r.TryGetProperty("proof", out var proof) || proof.ValueKind != JsonValueKind.Array)
                return Parsed<Receipt>.Fail("$.proof", "field.type", "'proof' must be an array of hashes.");
            var nodes = ImmutableArray.CreateBuilder<byte[]>();
            var i = 0;
            foreach (var p in proof.EnumerateArray())
            {
                var node = p.ValueKind == JsonValueKind.String ? Hex.TryDecode(p.GetString()) : null;
                if (node is not { Length: MerkleHash.SizeInBytes })
                    return Parsed<Receipt>.Fail($"$.proof[{i}]", "field.type", "Every proof element is 64 lower-case hex digits.");
                nodes.Add(node);
                i++;
            }
            return Parsed<Receipt>.Ok(new Receipt(checkpoint.Value!, System.Text.Encoding.UTF8.GetBytes(entry.GetString()!), hash.GetString()!, at, nodes.ToImmutable(), n));
        }
        catch (JsonException ex)
        {
            return Parsed<Receipt>.Fail("$", "json.malformed", $"Not valid JSON: {ex.Message}");
        }
        catch (InvalidOperationException)
        {
            // A string escaping a lone surrogate ("\ud800") is valid JSON but no text: it cannot be entry bytes.
            return Parsed<Receipt>.Fail("$", "json.malformed", "A string in the receipt is not valid Unicode text.");
        }
    }

    /// <summary>Checks the receipt against the checkpoint key (SubjectPublicKeyInfo DER), in the order of SPEC.md §14.3.</summary>
    public ReceiptCheck Verify(ReadOnlySpan<byte> spki)
    {
        var leaf = MerkleHash.Leaf(Entry);
        if (!string.Equals(Hex.Encode(leaf), EntryHash, StringComparison.Ordinal))
            return ReceiptCheck.Fail("entry-hash", "SHA-256(0x00 ‖ entry) is not the receipt's entryHash: the entry was changed.");
        if (Size != Checkpoint.Checkpoint.Size)
            return ReceiptCheck.Fail("size", $"The proof is for a log of {Size} entries, the checkpoint for {Checkpoint.Checkpoint.Size}.");
        if (!MerkleTree.VerifyInclusion(leaf, Index, Size, Proof, Checkpoint.Checkpoint.Root))
            return ReceiptCheck.Fail("inclusion", $"The proof does not lead from entry {Index} to the checkpoint's root.");
        if (!Checkpoint.Verify(spki))
            return ReceiptCheck.Fail("signature", "The checkpoint's signature does not verify with this key.");
        var parsed = LogEntry.Parse(Entry);
        if (!parsed.Success)
            return ReceiptCheck.Fail("entry", $"The entry is not a canonical log entry: {parsed.Problems[0].Message}");
        if (parsed.Value!.Seq != Index)
            return ReceiptCheck.Fail("entry", $"The entry says it is entry {parsed.Value.Seq}, the proof is for {Index}.");
        return new ReceiptCheck(true, null, $"Entry {Index} ({parsed.Value.Type}) is in the log of {Size} entries signed at {Formats.Format(Checkpoint.Checkpoint.Time)} by key {Checkpoint.Checkpoint.LogId}.");
    }
}
