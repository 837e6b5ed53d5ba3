using System.Collections.Immutable;
using System.Globalization;
using KinderQueue.Core.Encoding;
using NodaTime;

namespace KinderQueue.Core.Log;

/// <summary>
/// The body of a tlog-witness add-checkpoint request (c2sp.org/tlog-witness): "old N\n", zero to 63
/// base64 consistency proof lines, an empty line, then the signed checkpoint note.
/// </summary>
public sealed record AddCheckpointRequest(long OldSize, ImmutableArray<byte[]> Proof, byte[] Note)
{
    /// <summary>The protocol's bound on proof lines.</summary>
    public const int MaxProofLines = 63;

    public byte[] Format()
    {
        var head = new System.Text.StringBuilder();
        head.Append("old ").Append(OldSize.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var h in Proof) head.Append(Convert.ToBase64String(h)).Append('\n');
        head.Append('\n');
        return [.. System.Text.Encoding.UTF8.GetBytes(head.ToString()), .. Note];
    }

    public static Parsed<AddCheckpointRequest> Parse(ReadOnlySpan<byte> body)
    {
        var proof = ImmutableArray.CreateBuilder<byte[]>();
        long oldSize = -1;
        var at = 0;
        for (var line = 0; ; line++)
        {
            var end = body[at..].IndexOf((byte)'\n');
            if (end < 0) return Parsed<AddCheckpointRequest>.Fail("$", "witness.body", "The body is an old size line, proof lines, an empty line and the checkpoint, each line ending in a newline.");
            var text = System.Text.Encoding.ASCII.GetString(body.Slice(at, end));
            at += end + 1;
            if (line == 0)
            {
                if (!text.StartsWith("old ", StringComparison.Ordinal) || !IsDecimal(text[4..]) || !long.TryParse(text[4..], NumberStyles.None, CultureInfo.InvariantCulture, out oldSize))
                    return Parsed<AddCheckpointRequest>.Fail("$.old", "witness.old", "The first line is 'old' and the previous size in decimal without leading zeros.");
                continue;
            }
            if (text.Length == 0) break;
            if (proof.Count == MaxProofLines) return Parsed<AddCheckpointRequest>.Fail("$.proof", "witness.proof", $"At most {MaxProofLines} proof lines.");
            var hash = TryBase64(text);
            if (hash is not { Length: MerkleHash.SizeInBytes }) return Parsed<AddCheckpointRequest>.Fail("$.proof", "witness.proof", "A proof line is the base64 of a 32-byte hash.");
            proof.Add(hash);
        }
        return Parsed<AddCheckpointRequest>.Ok(new AddCheckpointRequest(oldSize, proof.ToImmutable(), body[at..].ToArray()));
    }

    internal static bool IsDecimal(string s) => s.Length > 0 && s.All(c => c is >= '0' and <= '9') && (s.Length == 1 || s[0] != '0');

    internal static byte[]? TryBase64(string s)
    {
        try
        {
            var bytes = Convert.FromBase64String(s);
            return Convert.ToBase64String(bytes) == s ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>What a witness remembers of one log: the latest checkpoint it cosigned (and its kq-time, when it had one).</summary>
public sealed record WitnessRecord(long Size, byte[] Root, Instant? Time);

/// <summary>
/// A witness's answer: an HTTP status with a plain-text body; on 200 the cosignature line and the
/// record to persist before answering, on 409 the stored size as text/x.tlog.size.
/// </summary>
public sealed record WitnessVerdict(int Status, string Body, string ContentType, WitnessRecord? Record = null, string? Origin = null)
{
    public const string SizeContentType = "text/x.tlog.size";

    public bool Accepted => Status == 200;

    internal static WitnessVerdict Refuse(int status, string why) => new(status, why + "\n", "text/plain; charset=utf-8");
}

/// <summary>
/// The decision of a witness on an add-checkpoint request (c2sp.org/tlog-witness), pure: given the
/// log keys it trusts per origin, what it stored for the origin, its cosigning key and the time,
/// it refuses (with the protocol's status) or cosigns and says what to store. Checking the stored
/// size and storing the new record must happen atomically around this call (the caller's lock).
/// </summary>
public static class Witness
{
    private const string TimePrefix = "kq-time ";

    public static WitnessVerdict Decide(
        AddCheckpointRequest request,
        IReadOnlyDictionary<string, IReadOnlyList<SignedNote.VerifierKey>> logs,
        Func<string, WitnessRecord?> stored,
        Cosignature.Signer signer,
        ulong now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(signer);
        var parsed = SignedNote.Parse(request.Note);
        if (!parsed.Success) return WitnessVerdict.Refuse(400, "The checkpoint is not a signed note: " + parsed.Problems[0].Message);
        var note = parsed.Value!;
        var lines = note.Text[..^1].Split('\n');
        if (lines.Length < 3 || !SignedNote.IsKeyName(lines[0]) || !AddCheckpointRequest.IsDecimal(lines[1])
            || !long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || AddCheckpointRequest.TryBase64(lines[2]) is not { Length: MerkleHash.SizeInBytes } root)
            return WitnessVerdict.Refuse(400, "The note is not a checkpoint: origin, decimal size and base64 root lines (c2sp.org/tlog-checkpoint).");
        var origin = lines[0];

        if (!logs.TryGetValue(origin, out var keys) || keys.Count == 0) return WitnessVerdict.Refuse(404, $"Unknown log origin {origin}.");
        var signedByTrusted = false;
        foreach (var key in keys)
        {
            var single = new SignedNote.Note(note.Text, []);
            foreach (var s in note.Signatures.Where(s => s.KeyName == key.KeyName && s.KeyId == key.KeyId))
            {
                // A line naming a trusted key whose signature fails makes the note malformed (c2sp.org/signed-note).
                if (!key.Verifies(single with { Signatures = [s] })) return WitnessVerdict.Refuse(403, $"A signature of {key.KeyName} does not verify.");
                signedByTrusted = true;
            }
        }
        if (!signedByTrusted) return WitnessVerdict.Refuse(403, $"No signature from a trusted key of {origin}.");

        if (request.OldSize > size) return WitnessVerdict.Refuse(400, $"The old size {request.OldSize} exceeds the checkpoint size {size}.");
        var record = stored(origin);
        var storedSize = record?.Size ?? 0;
        if (request.OldSize != storedSize)
            return new WitnessVerdict(409, storedSize.ToString(CultureInfo.InvariantCulture) + "\n", WitnessVerdict.SizeContentType);
        if (size == 0 && !root.AsSpan().SequenceEqual(MerkleHash.EmptyRoot))
            return WitnessVerdict.Refuse(422, "A checkpoint of size 0 has the root of the empty tree.");
        if (request.OldSize == 0)
        {
            if (!request.Proof.IsEmpty) return WitnessVerdict.Refuse(422, "From size 0 the consistency proof is empty.");
        }
        else if (!MerkleTree.VerifyConsistency(request.OldSize, size, record!.Root, root, request.Proof))
        {
            return WitnessVerdict.Refuse(422, request.OldSize == size
                ? $"A different root for size {size} than the one cosigned: the log shows two trees of one size."
                : $"The consistency proof from size {request.OldSize} to {size} does not verify.");
        }

        Instant? time = null;
        if (lines.FirstOrDefault(l => l.StartsWith(TimePrefix, StringComparison.Ordinal)) is { } timeLine)
        {
            var t = Formats.Instant.Parse(timeLine[TimePrefix.Length..]);
            if (!t.Success) return WitnessVerdict.Refuse(400, "The kq-time line is not an instant (SPEC.md §3.2).");
            time = t.Value;
            if (record?.Time is { } last && time < last)
                return WitnessVerdict.Refuse(422, $"The checkpoint's kq-time {Formats.Format(time.Value)} is before the one cosigned last ({Formats.Format(last)}).");
        }

        var line = signer.Cosign(note.Text, now);
        return new WitnessVerdict(200, line, "text/plain; charset=utf-8", new WitnessRecord(size, root, time ?? record?.Time), origin);
    }
}
