using NodaTime;

namespace KinderQueue.Core.Log;

/// <summary>
/// Encodes many entries one after another, for readers of a whole log (the NDJSON export, a bulk
/// verifier): the bytes of <see cref="LogEntry.ToBytes"/> (SPEC.md §6.1) and the entry hash of
/// <see cref="MerkleHash.Leaf(ReadOnlySpan{byte})"/> (§6.2), several times faster, with nothing
/// allocated per entry. It is the writer <see cref="LogHasher"/> appends with; the tests compare
/// both outputs with <see cref="LogEntry"/> and <see cref="MerkleHash"/>. Not thread-safe: one per reader.
/// </summary>
public sealed class LogEntryEncoder : IDisposable
{
    // Enough for every role and the actors of a busy stretch of the log; beyond it the cache restarts.
    private const int CachedStrings = 4096;

    private readonly LogHasher.EntryWriter _writer = new(new LogHasher.StringCache(CachedStrings));

    /// <summary>
    /// The entry's bytes, valid until the next call (copy them out before encoding the next entry),
    /// and its hash SHA-256(0x00 ‖ bytes) in <paramref name="hash"/> (32 bytes).
    /// </summary>
    /// <param name="at">Written truncated to the millisecond, as <see cref="LogChain"/> appends it.</param>
    public ReadOnlySpan<byte> Encode(long seq, Instant at, string actor, string type, ReadOnlyMemory<byte> payload, ReadOnlySpan<byte> prev, Span<byte> hash)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        ArgumentOutOfRangeException.ThrowIfNotEqual(prev.Length, MerkleHash.SizeInBytes, nameof(prev));
        ArgumentOutOfRangeException.ThrowIfLessThan(hash.Length, MerkleHash.SizeInBytes, nameof(hash));
        return _writer.WriteAndHash(new PendingEntry(at, actor, type, payload), seq, prev, hash);
    }

    public void Dispose() => _writer.Dispose();
}
