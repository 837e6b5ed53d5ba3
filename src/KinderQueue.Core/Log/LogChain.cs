using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using NodaTime;

namespace KinderQueue.Core.Log;

/// <summary>
/// Builds entries in order: assigns the next sequence number and links each entry to the hash
/// of the one before. Pure: the caller supplies the time and the actor. Storage uses it under its
/// single-writer lock; tests and vectors use it to build logs.
/// </summary>
public sealed class LogChain
{
    private byte[] _head;

    public LogChain() : this(0, LogEntry.GenesisPrev.ToArray())
    {
    }

    /// <summary>Continues a chain of <paramref name="size"/> entries whose last hash is <paramref name="head"/>.</summary>
    public LogChain(long size, byte[] head)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNotEqual(head.Length, 32, nameof(head));
        Size = size;
        _head = head;
    }

    public long Size { get; private set; }

    /// <summary>Hash of the last entry (32 zero bytes for an empty log).</summary>
    public ReadOnlySpan<byte> Head => _head;

    public (LogEntry Entry, byte[] Bytes, byte[] Hash) Append(Instant at, string actor, LogEvent e) =>
        Append(at, actor, e.Type, EventCodec.Encode(e));

    public (LogEntry Entry, byte[] Bytes, byte[] Hash) Append(Instant at, string actor, string type, byte[] payload)
    {
        var entry = new LogEntry(Size, Formats.TruncateToMillisecond(at), actor, type, payload, _head);
        var bytes = entry.ToBytes();
        var hash = MerkleHash.Leaf(bytes);
        _head = hash;
        Size++;
        return (entry, bytes, hash);
    }
}
