using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using NodaTime;

namespace KinderQueue.Core.Verification;

/// <summary>One exported line, read: the fields it states, its entry hash and its decoded event, or what is wrong with it.</summary>
internal struct ReadLine
{
    public long Seq;
    public Instant At;
    public string Actor;
    public string Type;
    public ReadOnlyMemory<byte> Payload;

    /// <summary>The line is not the canonical entry bytes of an entry (SPEC.md §6.1); nothing else about it is known.</summary>
    public ValidationProblem? EntryProblem;

    /// <summary>The decoded payload; null when <see cref="EventProblem"/> says why it does not decode (SPEC.md §5).</summary>
    public LogEvent? Event;

    public ValidationProblem? EventProblem;
}

/// <summary>
/// Reads exported lines (SPEC.md §6.1): checks that a line is exactly the entry bytes of what it
/// states, computes its entry hash and decodes its payload. One reader per thread; lines are
/// independent of each other, so a batch is read by several readers at once.
/// </summary>
/// <remarks>
/// The fast path splits the line by its fixed layout
/// <c>{"actor":A,"at":"T","payload":P,"prev":"H","seq":N,"type":Y}</c>, then writes the entry
/// again with the log's own writer (the one <see cref="LogHasher"/> appends with, tested equal to
/// <see cref="LogEntry.ToBytes"/>) and compares the bytes: equal bytes prove the line canonical,
/// and the writer's hash of them is the line's hash. Anything the fast path does not handle
/// (escapes in the actor, years beyond 9999, any mismatch) goes to <see cref="LogEntry.Parse"/>,
/// which is authoritative and names the problem; so the fast path changes speed, never a verdict.
/// </remarks>
internal sealed class EntryLineReader : IDisposable
{
    private static ReadOnlySpan<byte> ActorKey => "{\"actor\":\""u8;
    private static ReadOnlySpan<byte> AtKey => ",\"at\":\""u8;
    private static ReadOnlySpan<byte> PayloadKey => "\",\"payload\":"u8;
    private static ReadOnlySpan<byte> PrevKey => ",\"prev\":\""u8;
    private static ReadOnlySpan<byte> SeqKey => "\",\"seq\":"u8;
    private static ReadOnlySpan<byte> TypeKey => ",\"type\":\""u8;

    private const int InstantLength = 24;
    private const int HashHex = 2 * MerkleHash.SizeInBytes;

    // Event types as the bytes between the quotes, with the interned names: no string per line.
    private static readonly (byte[] Bytes, string Name)[] KnownTypes =
        [.. EventCodec.Types.Select(t => (System.Text.Encoding.UTF8.GetBytes(t), t))];

    private readonly LogHasher.EntryWriter _writer = new(new LogHasher.StringCache(4096));
    private readonly PayloadReader _payloads = new();
    private string? _lastActor;
    private byte[] _lastActorBytes = [];

    /// <summary>Reads <paramref name="line"/> (without its newline); writes its entry hash and stated prev (32 bytes each).</summary>
    public void Read(ReadOnlyMemory<byte> line, ref ReadLine result, Span<byte> hash, Span<byte> prev)
    {
        result = default;
        var fast = TryFast(line, ref result, hash, prev);
        if (!fast)
        {
            var parsed = LogEntry.Parse(line);
            if (!parsed.Success)
            {
                // Line endings or a byte order mark changed in transport: say so rather than "not canonical".
                result.EntryProblem = TransportDamage.Find(line.Span) ?? parsed.Problems[0];
                return;
            }
            var entry = parsed.Value!;
            result.Seq = entry.Seq;
            result.At = entry.At;
            result.Actor = entry.Actor;
            result.Type = entry.Type;
            result.Payload = entry.Payload;
            entry.Prev.Span.CopyTo(prev);
            MerkleHash.Leaf(line.Span, hash);
        }
        var decoded = _payloads.Decode(result.Type, result.Payload);
        if (decoded.Success)
        {
            result.Event = decoded.Value;
            return;
        }
        // The fast path does not parse the payload: a line whose payload is not even a JSON object
        // is an entry problem, as the reference parser says (rare, so parsing again costs nothing).
        if (fast && LogEntry.Parse(line) is { Success: false } reference)
        {
            result = default;
            result.EntryProblem = reference.Problems[0];
            return;
        }
        result.EventProblem = decoded.Problems[0];
    }

    private bool TryFast(ReadOnlyMemory<byte> memory, ref ReadLine result, Span<byte> hash, Span<byte> prev)
    {
        var line = memory.Span;
        if (!line.StartsWith(ActorKey) || line[^1] != (byte)'}') return false;

        var p = ActorKey.Length;
        var actorEnd = line[p..].IndexOfAny((byte)'"', (byte)'\\');
        if (actorEnd <= 0 || line[p + actorEnd] != (byte)'"') return false; // empty, or escapes: the reference parser decides
        var actorBytes = line.Slice(p, actorEnd);
        p += actorEnd + 1;

        if (!line[p..].StartsWith(AtKey)) return false;
        p += AtKey.Length;
        if (p + InstantLength > line.Length || !TryInstant(line.Slice(p, InstantLength), out var at)) return false;
        p += InstantLength;
        if (!line[p..].StartsWith(PayloadKey)) return false;
        p += PayloadKey.Length;
        var payloadStart = p;

        // The prev key is the last ',"prev":"' of the line: what follows it (hex, an integer and a
        // string literal) cannot contain an unescaped quote, so no later occurrence is possible.
        var prevKey = line.LastIndexOf(PrevKey);
        if (prevKey < payloadStart) return false;
        var payload = memory[payloadStart..prevKey];
        p = prevKey + PrevKey.Length;
        if (p + HashHex > line.Length || !TryHex(line.Slice(p, HashHex), prev)) return false;
        p += HashHex;
        if (!line[p..].StartsWith(SeqKey)) return false;
        p += SeqKey.Length;
        long seq = 0;
        var digits = 0;
        for (; p < line.Length && line[p] is >= (byte)'0' and <= (byte)'9'; p++, digits++)
        {
            if (seq > (long.MaxValue - 9) / 10) return false;
            seq = seq * 10 + (line[p] - '0');
        }
        if (digits == 0 || !line[p..].StartsWith(TypeKey)) return false;
        p += TypeKey.Length;
        // A non-empty type literal and the closing brace, nothing else.
        if (p > line.Length - 3 || line[^2] != (byte)'"') return false;
        var typeBytes = line[p..^2];
        if (typeBytes.IndexOfAny((byte)'"', (byte)'\\') >= 0) return false;

        var type = KnownType(typeBytes);
        var actor = Actor(actorBytes);
        // Write the entry again with the log's writer: the line is canonical iff the bytes are equal.
        var written = _writer.WriteAndHash(new PendingEntry(at, actor, type, payload), seq, prev, hash);
        if (!written.SequenceEqual(line)) return false;

        result.Seq = seq;
        result.At = at;
        result.Actor = actor;
        result.Type = type;
        result.Payload = payload;
        return true;
    }

    private static string KnownType(ReadOnlySpan<byte> bytes)
    {
        foreach (var (known, name) in KnownTypes)
        {
            if (bytes.SequenceEqual(known)) return name;
        }
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Consecutive entries often share their actor: reuse the string rather than decode it again.</summary>
    private string Actor(ReadOnlySpan<byte> bytes)
    {
        if (_lastActor is not null && bytes.SequenceEqual(_lastActorBytes)) return _lastActor;
        _lastActorBytes = bytes.ToArray();
        return _lastActor = System.Text.Encoding.UTF8.GetString(bytes);
    }

    /// <summary><c>uuuu-MM-ddTHH:mm:ss.fffZ</c> with every field in range; anything else is for the reference parser.</summary>
    private static bool TryInstant(ReadOnlySpan<byte> s, out Instant at)
    {
        at = default;
        if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z') return false;
        if (!Digits(s[..4], out var year) || !Digits(s.Slice(5, 2), out var month) || !Digits(s.Slice(8, 2), out var day)
            || !Digits(s.Slice(11, 2), out var hour) || !Digits(s.Slice(14, 2), out var minute) || !Digits(s.Slice(17, 2), out var second)
            || !Digits(s.Slice(20, 3), out var ms))
            return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > CalendarSystem.Iso.GetDaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
            return false;
        at = Instant.FromUtc(year, month, day, hour, minute, second) + Duration.FromMilliseconds(ms);
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        foreach (var b in s)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }

    /// <summary>Lower- or upper-case hex; the re-encoding comparison then insists on lower case.</summary>
    private static bool TryHex(ReadOnlySpan<byte> hex, Span<byte> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            var hi = Nibble(hex[2 * i]);
            var lo = Nibble(hex[2 * i + 1]);
            if ((hi | lo) < 0) return false;
            destination[i] = (byte)(hi << 4 | lo);
        }
        return true;
    }

    private static int Nibble(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };

    public void Dispose() => _writer.Dispose();
}
