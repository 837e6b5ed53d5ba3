using System.Text.Json;
using KinderQueue.Core.Encoding;
using NodaTime;

namespace KinderQueue.Core.Log;

/// <summary>
/// A statement about the log at one moment (SPEC.md §11.2): the log <see cref="LogId"/> had
/// <see cref="Size"/> entries, their Merkle root (§6.3) was <see cref="Root"/> and their chain head
/// (§6.2) was <see cref="Head"/>, as of <see cref="Time"/>. Its signed bytes are the canonical JSON
/// (§3) <c>{"head","logId","root","size","time"}</c>, hashes in hex, the time as an instant (§3.2).
/// </summary>
public sealed class Checkpoint
{
    private readonly byte[] _root;
    private readonly byte[] _head;

    /// <param name="time">Truncated to the millisecond, as every instant in the published formats.</param>
    /// <exception cref="ArgumentException">A malformed field: a programmer error (untrusted text goes through <see cref="SignedCheckpoint.Parse"/>).</exception>
    public Checkpoint(string logId, long size, ReadOnlySpan<byte> root, ReadOnlySpan<byte> head, Instant time)
    {
        if (Hex.TryDecode(logId) is not { Length: MerkleHash.SizeInBytes })
            throw new ArgumentException("A log id is 64 lower-case hex digits.", nameof(logId));
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNotEqual(root.Length, MerkleHash.SizeInBytes, nameof(root));
        ArgumentOutOfRangeException.ThrowIfNotEqual(head.Length, MerkleHash.SizeInBytes, nameof(head));
        LogId = logId;
        Size = size;
        _root = root.ToArray();
        _head = head.ToArray();
        Time = Formats.TruncateToMillisecond(time);
    }

    /// <summary>Lower-case hex SHA-256 of the signing key's SPKI (<see cref="CheckpointKey.LogId"/>).</summary>
    public string LogId { get; }

    public long Size { get; }

    /// <summary>MTH of the first <see cref="Size"/> entries (SHA-256 of nothing for an empty log).</summary>
    public ReadOnlySpan<byte> Root => _root;

    /// <summary>Hash of entry Size − 1 (32 zero bytes for an empty log).</summary>
    public ReadOnlySpan<byte> Head => _head;

    public Instant Time { get; }

    /// <summary>The bytes the signature covers: canonical JSON of the five fields, keys in byte order.</summary>
    public byte[] SignedBytes()
    {
        var w = new CanonicalJsonWriter(256);
        WriteFields(w, signature: null);
        return w.ToArray();
    }

    /// <summary>
    /// True iff <paramref name="signature"/> signs <see cref="SignedBytes"/> under <paramref name="spki"/>
    /// and <paramref name="spki"/> is the key this checkpoint names (its logId).
    /// </summary>
    public bool Verify(string? signature, ReadOnlySpan<byte> spki) =>
        CheckpointKey.IsP256Spki(spki)
        && string.Equals(LogId, CheckpointKey.LogId(spki), StringComparison.Ordinal)
        && CheckpointKey.Verify(spki, SignedBytes(), signature);

    /// <summary>The fields in key order; with a signature, it goes between "root" and "size" as byte order demands.</summary>
    internal void WriteFields(CanonicalJsonWriter w, string? signature)
    {
        w.StartObject();
        w.Property("head", Hex.Encode(_head));
        w.Property("logId", LogId);
        w.Property("root", Hex.Encode(_root));
        if (signature is not null) w.Property("signature", signature);
        w.Property("size", Size);
        w.Property("time", Formats.Format(Time));
        w.EndObject();
    }
}

/// <summary>
/// A checkpoint with its signature, as the service publishes it: the canonical JSON of the signed
/// fields plus <c>"signature"</c> (base64 of the 64-byte P1363 signature). Removing the signature
/// member and re-encoding canonically gives back exactly the signed bytes (SPEC.md §11.2).
/// </summary>
public sealed class SignedCheckpoint(Checkpoint checkpoint, string signature)
{
    public Checkpoint Checkpoint { get; } = checkpoint ?? throw new ArgumentNullException(nameof(checkpoint));

    /// <summary>Base64 (RFC 4648 §4, with padding) of r ‖ s.</summary>
    public string Signature { get; } = signature ?? throw new ArgumentNullException(nameof(signature));

    /// <summary>The published document: canonical JSON {"head","logId","root","signature","size","time"}.</summary>
    public byte[] ToJson()
    {
        var w = new CanonicalJsonWriter(384);
        Checkpoint.WriteFields(w, Signature);
        return w.ToArray();
    }

    /// <summary>True iff the signature is valid under <paramref name="spki"/> and that key is the one the checkpoint names.</summary>
    public bool Verify(ReadOnlySpan<byte> spki) => Checkpoint.Verify(Signature, spki);

    /// <summary>
    /// Reads a published checkpoint and checks that it is exactly the canonical encoding of what it
    /// says (no other members, no other spelling), so that the bytes verified are the bytes signed.
    /// Says nothing about the signature: call <see cref="Verify"/>.
    /// </summary>
    public static Parsed<SignedCheckpoint> Parse(ReadOnlyMemory<byte> json)
    {
        SignedCheckpoint parsed;
        var f = new JsonFields();
        try
        {
            using var doc = CanonicalJson.Parse(json);
            var r = doc.RootElement;
            if (!f.IsObject(r, "$")) return Parsed<SignedCheckpoint>.Fail(f.Problems);
            var logId = HashField(f, r, "logId");
            var root = HashField(f, r, "root");
            var head = HashField(f, r, "head");
            var size = f.Integer(r, "$", "size", 0, long.MaxValue);
            var time = f.Instant(r, "$", "time");
            var signature = f.String(r, "$", "signature");
            if (f.HasProblems) return Parsed<SignedCheckpoint>.Fail(f.Problems);
            parsed = new SignedCheckpoint(new Checkpoint(logId!, size!.Value, Hex.TryDecode(root), Hex.TryDecode(head), time!.Value), signature!);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Parsed<SignedCheckpoint>.Fail("$", "json.malformed", $"Not valid JSON: {ex.Message}");
        }
        if (!parsed.ToJson().AsSpan().SequenceEqual(json.Span))
            return Parsed<SignedCheckpoint>.Fail("$", "checkpoint.not-canonical", "The checkpoint is not the canonical encoding of its fields (SPEC.md §11.2).");
        return Parsed<SignedCheckpoint>.Ok(parsed);
    }

    private static string? HashField(JsonFields f, JsonElement r, string name)
    {
        var text = f.String(r, "$", name);
        if (text is not null && Hex.TryDecode(text) is not { Length: MerkleHash.SizeInBytes })
        {
            f.Add($"$.{name}", "checkpoint.hash", $"'{name}' must be 64 lower-case hex digits.");
            return null;
        }
        return text;
    }
}
