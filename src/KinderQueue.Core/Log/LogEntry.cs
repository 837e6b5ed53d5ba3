using System.Text.Json;
using KinderQueue.Core.Encoding;
using NodaTime;

namespace KinderQueue.Core.Log;

/// <summary>
/// One entry of the public log (SPEC.md §6). Its bytes are the canonical JSON object
/// <c>{"actor","at","payload","prev","seq","type"}</c>: the line of the NDJSON export, the input of
/// the entry hash, and the input of the Merkle leaf hash, which are the same value:
/// SHA-256(0x00 ‖ entry bytes). <see cref="Prev"/> is the previous entry's hash, so the entries
/// form a chain as well as the leaves of a Merkle tree.
/// </summary>
public sealed record LogEntry(long Seq, Instant At, string Actor, string Type, ReadOnlyMemory<byte> Payload, ReadOnlyMemory<byte> Prev)
{
    /// <summary>The "previous hash" of entry 0: 32 zero bytes.</summary>
    public static readonly ReadOnlyMemory<byte> GenesisPrev = new byte[32];

    public byte[] ToBytes()
    {
        var w = new CanonicalJsonWriter(Payload.Length + 192);
        Write(w);
        return w.ToArray();
    }

    public void Write(CanonicalJsonWriter w)
    {
        w.StartObject();
        w.Property("actor", Actor);
        w.Property("at", Formats.Format(At));
        w.Key("payload");
        w.Raw(Payload.Span);
        w.Property("prev", Hex.Encode(Prev.Span));
        w.Property("seq", Seq);
        w.Property("type", Type);
        w.EndObject();
    }

    public byte[] Hash() => MerkleHash.Leaf(ToBytes());

    /// <summary>
    /// Parses one exported line and checks that it is exactly the canonical encoding of what it
    /// says, so the bytes a validator hashes are the bytes the log hashed.
    /// </summary>
    public static Parsed<LogEntry> Parse(ReadOnlyMemory<byte> line)
    {
        LogEntry entry;
        var f = new JsonFields();
        try
        {
            using var doc = CanonicalJson.Parse(line);
            var r = doc.RootElement;
            if (!f.IsObject(r, "$")) return Parsed<LogEntry>.Fail(f.Problems);
            var seq = f.Integer(r, "$", "seq", 0, long.MaxValue);
            var at = f.Instant(r, "$", "at");
            var actor = f.String(r, "$", "actor");
            var type = f.String(r, "$", "type");
            var prevText = f.String(r, "$", "prev");
            var prev = Hex.TryDecode(prevText);
            if (prevText is not null && (prev is null || prev.Length != 32))
                f.Add("$.prev", "entry.prev", "'prev' must be 64 lower-case hex digits.");
            if (!f.TryGet(r, "$", "payload", out var payload)) return Parsed<LogEntry>.Fail(f.Problems);
            if (payload.ValueKind != JsonValueKind.Object) f.Add("$.payload", "field.type", "'payload' must be an object.");
            if (f.HasProblems) return Parsed<LogEntry>.Fail(f.Problems);
            var payloadBytes = System.Text.Encoding.UTF8.GetBytes(payload.GetRawText());
            entry = new LogEntry(seq!.Value, at!.Value, actor!, type!, payloadBytes, prev!);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Parsed<LogEntry>.Fail("$", "json.malformed", $"Not valid JSON: {ex.Message}");
        }
        if (!entry.ToBytes().AsSpan().SequenceEqual(line.Span))
            return Parsed<LogEntry>.Fail("$", "entry.not-canonical", "The line is not the canonical encoding of its entry (SPEC.md §6.1).");
        return Parsed<LogEntry>.Ok(entry);
    }
}
