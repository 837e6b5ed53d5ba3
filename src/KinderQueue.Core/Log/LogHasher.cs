using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using KinderQueue.Core.Encoding;
using NodaTime;

namespace KinderQueue.Core.Log;

/// <summary>An entry to append: what the caller decides. The chain supplies the sequence number and the previous hash.</summary>
public readonly record struct PendingEntry(Instant At, string Actor, string Type, ReadOnlyMemory<byte> Payload);

/// <summary>
/// The outcome of <see cref="LogHasher.Append(long, ReadOnlySpan{byte}, MerkleAccumulator, IReadOnlyList{PendingEntry})"/>:
/// every new entry's hash, the new chain head and the Merkle tree head of the whole log.
/// </summary>
/// <remarks>
/// Entry bytes are not kept: a million entries would hold half a gigabyte, and touching that much
/// fresh memory costs more than hashing it. <see cref="EntryBytes"/> rebuilds an entry's bytes
/// on request with <see cref="LogEntry.ToBytes"/> and checks them against the stored hash, so the
/// batch refers to the caller's entries, which must not change while the batch is in use.
/// </remarks>
public sealed class LogHashBatch
{
    private readonly IReadOnlyList<PendingEntry> _entries;
    private readonly byte[] _startHead;
    private readonly byte[] _hashes;
    private readonly byte[] _root;

    internal LogHashBatch(long startSize, byte[] startHead, IReadOnlyList<PendingEntry> entries, byte[] hashes, byte[] root)
    {
        StartSize = startSize;
        _startHead = startHead;
        _entries = entries;
        _hashes = hashes;
        _root = root;
        Count = hashes.Length / MerkleHash.SizeInBytes;
    }

    /// <summary>Size of the log before the batch: the sequence number of its first entry.</summary>
    public long StartSize { get; }

    /// <summary>Number of entries in the batch.</summary>
    public int Count { get; }

    /// <summary>Size of the log after the batch.</summary>
    public long Size => StartSize + Count;

    /// <summary>Hash of the last entry of the log after the batch (the chain head).</summary>
    public ReadOnlySpan<byte> Head => Count == 0 ? _startHead : EntryHash(Count - 1);

    /// <summary>MTH of all entries of the log after the batch (RFC 9162 §2.1.1).</summary>
    public ReadOnlySpan<byte> Root => _root;

    /// <summary>The entry hash (= Merkle leaf hash) of the batch's entry <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> EntryHash(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _hashes.AsSpan(index * MerkleHash.SizeInBytes, MerkleHash.SizeInBytes);
    }

    /// <summary>The batch's entry <paramref name="index"/> as the log records it (sequence number, truncated instant, previous hash).</summary>
    public LogEntry Entry(int index)
    {
        var e = _entries[index];
        var prev = index == 0 ? _startHead : EntryHash(index - 1).ToArray();
        return new LogEntry(StartSize + index, Formats.TruncateToMillisecond(e.At), e.Actor, e.Type, e.Payload, prev);
    }

    /// <summary>
    /// The canonical bytes of entry <paramref name="index"/>, built by <see cref="LogEntry.ToBytes"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The entry changed after it was hashed.</exception>
    public byte[] EntryBytes(int index)
    {
        var bytes = Entry(index).ToBytes();
        Span<byte> hash = stackalloc byte[MerkleHash.SizeInBytes];
        MerkleHash.Leaf(bytes, hash);
        if (!hash.SequenceEqual(EntryHash(index)))
            throw new InvalidOperationException($"Entry {index} of the batch changed after it was hashed.");
        return bytes;
    }

    /// <summary>The bytes the fast writer hashed for entry <paramref name="index"/> (tests compare them with <see cref="LogEntry.ToBytes"/>).</summary>
    internal byte[] HashedBytes(int index)
    {
        var strings = new LogHasher.StringCache();
        var e = _entries[index];
        strings.Get(e.Actor);
        strings.Get(e.Type);
        var prev = index == 0 ? _startHead : EntryHash(index - 1);
        using var writer = new LogHasher.EntryWriter(strings);
        return writer.Write(e, StartSize + index, prev).ToArray();
    }
}

/// <summary>
/// Appends many entries at once with the same result as <see cref="LogChain.Append(Instant, string, string, byte[])"/>
/// entry by entry with every hash folded into a Merkle tree, at a multiple of the speed.
/// </summary>
/// <remarks>
/// <para>
/// Where the time goes: every entry costs one SHA-256 for its leaf hash and, on average, one more
/// for an interior node of the Merkle tree. Through the platform's SHA-256 (OpenSSL on Linux) each
/// call has a fixed cost of several hundred nanoseconds, more than hashing a 500-byte entry itself
/// with SHA-NI. Three measures follow from that:
/// </para>
/// <list type="number">
/// <item>The chain is inherently sequential (each entry's bytes contain the previous entry's
/// hash): the calling thread builds entries in one reused buffer and hashes them through one
/// reused hash context, a batch of <see cref="BatchSize"/> at a time.</item>
/// <item>For a new log, the tree is folded a batch at a time: the interior nodes of an aligned
/// batch are computed level by level, where they are independent, 8 or 16 at a time in SIMD lanes
/// (<see cref="NodeHasher"/>). That is an order of magnitude cheaper than one call per node, so
/// cheap that it runs on the calling thread between batches.</item>
/// <item>Continuing an existing <see cref="MerkleAccumulator"/> has to append leaf by leaf (the
/// type offers no other way in), one platform call per node; that folding runs on a second thread,
/// fed batches through a hand-over (<see cref="Pipe"/>), and overlaps with the chain. The same
/// happens for a new log on hardware without SIMD lanes.</item>
/// </list>
/// <para>
/// Entry bytes are written directly rather than through <see cref="CanonicalJsonWriter"/>, whose
/// key-order and nesting checks cost more than the hash. The layout is fixed by
/// <see cref="LogEntry.Write"/>; the strings (actor and type) are still encoded by the canonical
/// writer, once per distinct string, so escaping is exactly the same. The tests compare bytes,
/// hashes, head and root with <see cref="LogChain"/> and <see cref="MerkleTree.Root"/>.
/// </para>
/// <para>
/// Memory: only the 32-byte hashes are kept. Keeping every entry's bytes (about 500 bytes each) was
/// measured to cost more than the hashing, because first writes to fresh memory fault in page after
/// page (several microseconds per 4 KiB page on a virtual machine).
/// <see cref="LogHashBatch.EntryBytes"/> rebuilds bytes on request.
/// </para>
/// <para>
/// Pure: no clock, no I/O, no randomness; the helper thread and the SIMD lanes change how fast, not what.
/// </para>
/// </remarks>
public static class LogHasher
{
    /// <summary>Entries published to the folding thread at a time, and the largest subtree folded at once (2^10 hashes = 32 KiB, cache-resident).</summary>
    internal const int BatchSize = 1 << BatchLevel;

    internal const int BatchLevel = 10;

    /// <summary>Below this many entries starting a second thread costs more than it saves.</summary>
    internal const int ParallelThreshold = 4 * BatchSize;

    private const int HashSize = MerkleHash.SizeInBytes;

    /// <summary>Starts a new log: genesis head, empty tree. <see cref="LogHashBatch.Root"/> is the MTH of these entries.</summary>
    public static LogHashBatch Append(IReadOnlyList<PendingEntry> entries) => Append(entries, NodeHasher.Best);

    /// <summary>The new-log path with a chosen SIMD width, so tests cover every width on any machine.</summary>
    internal static LogHashBatch Append(IReadOnlyList<PendingEntry> entries, NodeHasher.Width width)
    {
        var range = new CompactRange(width);
        return Hash(0, LogEntry.GenesisPrev.Span, entries, range, range.Root);
    }

    /// <summary>
    /// Continues a log of <paramref name="size"/> entries whose last hash is <paramref name="head"/>;
    /// <paramref name="tree"/> holds the leaves of those entries and is advanced by the new ones, so
    /// <see cref="LogHashBatch.Root"/> is the MTH of the whole log. Every entry is checked before any
    /// is hashed, so an exception leaves <paramref name="tree"/> unchanged.
    /// </summary>
    public static LogHashBatch Append(long size, ReadOnlySpan<byte> head, MerkleAccumulator tree, IReadOnlyList<PendingEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (tree.Size != size)
            throw new ArgumentException($"The tree holds {tree.Size} leaves but the chain has {size} entries.", nameof(tree));
        return Hash(size, head, entries, new AccumulatorFolder(tree), tree.Root);
    }

    private static LogHashBatch Hash(long size, ReadOnlySpan<byte> head, IReadOnlyList<PendingEntry> entries, ILeafFolder folder, Func<byte[]> root)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentOutOfRangeException.ThrowIfNotEqual(head.Length, HashSize, nameof(head));
        var n = entries.Count;
        _ = checked(size + n);

        // Validation pass: encode every distinct actor and type (throws for text the canonical
        // writer refuses) so the hashing below cannot fail half-way.
        var strings = new StringCache();
        for (var i = 0; i < n; i++)
        {
            var e = entries[i];
            ArgumentNullException.ThrowIfNull(e.Actor, $"{nameof(entries)}[{i}].{nameof(PendingEntry.Actor)}");
            ArgumentNullException.ThrowIfNull(e.Type, $"{nameof(entries)}[{i}].{nameof(PendingEntry.Type)}");
            strings.Get(e.Actor);
            strings.Get(e.Type);
        }

        var hashes = GC.AllocateUninitializedArray<byte>(checked(n * HashSize));
        var startHead = head.ToArray();
        if (n >= ParallelThreshold && folder.WorthAThread)
            HashPipelined(entries, size, startHead, strings, hashes, folder);
        else
            HashInline(entries, size, startHead, strings, hashes, folder);
        return new LogHashBatch(size, startHead, entries, hashes, root());
    }

    /// <summary>One thread: each batch is folded right after it is hashed, while its hashes are still in cache.</summary>
    private static void HashInline(IReadOnlyList<PendingEntry> entries, long size, byte[] head, StringCache strings,
        byte[] hashes, ILeafFolder folder)
    {
        var n = entries.Count;
        using var writer = new EntryWriter(strings);
        var folded = 0;
        for (var i = 0; i < n; i++)
        {
            var prev = i == 0 ? head : hashes.AsSpan((i - 1) * HashSize, HashSize);
            writer.WriteAndHash(entries[i], size + i, prev, hashes.AsSpan(i * HashSize, HashSize));
            if ((i + 1) % BatchSize != 0 && i + 1 != n) continue;
            folder.Fold(hashes.AsSpan(folded * HashSize, (i + 1 - folded) * HashSize));
            folded = i + 1;
        }
    }

    private static void HashPipelined(IReadOnlyList<PendingEntry> entries, long size, byte[] head, StringCache strings,
        byte[] hashes, ILeafFolder folder)
    {
        var n = entries.Count;
        using var pipe = new Pipe();
        // A dedicated thread, not the thread pool: the folding runs for the whole batch and must
        // not wait behind (or starve) other work.
        var folding = Task.Factory.StartNew(() => Fold(pipe, hashes, n, folder), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            using var writer = new EntryWriter(strings);
            for (var i = 0; i < n; i++)
            {
                var prev = i == 0 ? head : hashes.AsSpan((i - 1) * HashSize, HashSize);
                writer.WriteAndHash(entries[i], size + i, prev, hashes.AsSpan(i * HashSize, HashSize));
                if ((i + 1) % BatchSize == 0 || i + 1 == n) pipe.Publish(i + 1);
            }
        }
        catch
        {
            pipe.Abort();
            throw;
        }
        finally
        {
            // Rethrows a folding failure; waits for the folding to finish on success.
            folding.GetAwaiter().GetResult();
        }
    }

    /// <summary>The folding thread: folds published leaf hashes in order until all are in.</summary>
    private static void Fold(Pipe pipe, byte[] hashes, int n, ILeafFolder folder)
    {
        var done = 0;
        while (done < n)
        {
            var ready = pipe.WaitBeyond(done);
            if (ready < 0) return; // the producer failed; its exception is the one reported
            folder.Fold(hashes.AsSpan(done * HashSize, (ready - done) * HashSize));
            done = ready;
        }
    }

    /// <summary>Takes leaf hashes in log order, a run at a time.</summary>
    private interface ILeafFolder
    {
        /// <summary>
        /// Whether folding costs enough to run on its own thread. Measured on two virtual cores
        /// (1M entries of ~500 bytes): with one platform SHA-256 call per node the pipeline was
        /// 17 % faster than one thread; with SIMD lanes, where folding costs under a tenth of the
        /// chain, handing batches across threads made it 10 % slower.
        /// </summary>
        bool WorthAThread { get; }

        void Fold(ReadOnlySpan<byte> leafHashes);
    }

    private sealed class AccumulatorFolder(MerkleAccumulator tree) : ILeafFolder
    {
        public bool WorthAThread => true;

        public void Fold(ReadOnlySpan<byte> leafHashes)
        {
            for (var i = 0; i < leafHashes.Length; i += HashSize) tree.Append(leafHashes.Slice(i, HashSize));
        }
    }

    /// <summary>
    /// The tree of a new log as its compact range: the roots of the perfect subtrees for the set
    /// bits of the size, largest first (the state <see cref="MerkleAccumulator"/> keeps), except that
    /// a whole aligned perfect subtree is computed and pushed at once, level by level with
    /// <see cref="NodeHasher"/>, instead of one leaf at a time.
    /// </summary>
    internal sealed class CompactRange(NodeHasher.Width width) : ILeafFolder
    {
        private const int MaxDepth = 64;
        private readonly byte[] _roots = new byte[MaxDepth * HashSize];
        private readonly int[] _levels = new int[MaxDepth];
        private readonly byte[] _scratch = new byte[BatchSize / 2 * HashSize];
        private int _depth;

        public long Size { get; private set; }

        public bool WorthAThread => width == NodeHasher.Width.Scalar;

        public void Fold(ReadOnlySpan<byte> leafHashes)
        {
            var count = leafHashes.Length / HashSize;
            var offset = 0;
            while (offset < count)
            {
                // The largest perfect subtree that starts here: within the run, no larger than a
                // batch, and aligned to its own size, as every subtree of the RFC 9162 tree is.
                var level = Math.Min(BatchLevel, System.Numerics.BitOperations.Log2((uint)(count - offset)));
                if (Size != 0) level = Math.Min(level, System.Numerics.BitOperations.TrailingZeroCount(Size));
                var leaves = leafHashes.Slice(offset * HashSize, HashSize << level);
                if (level == 0)
                {
                    Push(leaves, 0);
                }
                else
                {
                    // First level from the leaves into the scratch, then in place up to the root.
                    var nodes = 1 << (level - 1);
                    NodeHasher.HashPairs(leaves, _scratch, nodes, width);
                    for (; nodes > 1; nodes /= 2) NodeHasher.HashPairs(_scratch, _scratch, nodes / 2, width);
                    Push(_scratch.AsSpan(0, HashSize), level);
                }
                offset += 1 << level;
            }
        }

        /// <summary>MTH of everything folded so far, combining the subtree roots from the right (RFC 9162 §2.1.1).</summary>
        public byte[] Root()
        {
            if (_depth == 0) return MerkleHash.EmptyRoot.ToArray();
            var root = Slot(_depth - 1).ToArray();
            for (var i = _depth - 2; i >= 0; i--) MerkleHash.Node(Slot(i), root, root);
            return root;
        }

        // Binary increment by 2^level: equal neighbours are siblings in every later tree, so they merge for good.
        private void Push(ReadOnlySpan<byte> root, int level)
        {
            root.CopyTo(Slot(_depth));
            _levels[_depth++] = level;
            while (_depth >= 2 && _levels[_depth - 2] == _levels[_depth - 1])
            {
                MerkleHash.Node(Slot(_depth - 2), Slot(_depth - 1), Slot(_depth - 2));
                _levels[_depth - 2]++;
                _depth--;
            }
            Size = checked(Size + (1L << level));
        }

        private Span<byte> Slot(int index) => _roots.AsSpan(index * HashSize, HashSize);
    }

    /// <summary>
    /// Hand-over between the hashing and the folding thread: a count of finished hashes, written
    /// after the hashes themselves (release), read before them (acquire), plus a wake-up signal.
    /// The hashes array is allocated up front, so the producer never has to wait for space.
    /// </summary>
    private sealed class Pipe : IDisposable
    {
        private readonly SemaphoreSlim _signal = new(0);
        private int _published;

        public void Publish(int count)
        {
            Volatile.Write(ref _published, count);
            _signal.Release();
        }

        public void Abort()
        {
            Volatile.Write(ref _published, -1);
            _signal.Release();
        }

        public void Dispose() => _signal.Dispose();

        /// <summary>Waits until more than <paramref name="done"/> hashes are published; -1 after <see cref="Abort"/>.</summary>
        public int WaitBeyond(int done)
        {
            while (true)
            {
                var published = Volatile.Read(ref _published);
                if (published < 0 || published > done) return published;
                _signal.Wait();
            }
        }
    }

    /// <summary>The canonical JSON string literal of each distinct actor and type, written once by the canonical writer.</summary>
    /// <param name="capacity">
    /// Distinct strings kept; past it the cache starts again. Actors are per person, so a reader of a
    /// whole log (the export) would otherwise keep one entry per parent who ever applied.
    /// </param>
    internal sealed class StringCache(int capacity = int.MaxValue)
    {
        private readonly Dictionary<string, byte[]> _encoded = new(StringComparer.Ordinal);
        // Nearly every entry repeats the previous entry's actor or type (often the very same
        // string object), so two one-element caches answer almost all lookups without hashing.
        private string? _lastA, _lastB;
        private byte[] _lastABytes = [], _lastBBytes = [];

        public byte[] Get(string value)
        {
            if (ReferenceEquals(value, _lastA)) return _lastABytes;
            if (ReferenceEquals(value, _lastB)) return _lastBBytes;
            if (!_encoded.TryGetValue(value, out var literal))
            {
                var w = new CanonicalJsonWriter(value.Length + 2);
                w.String(value);
                literal = w.ToArray();
                if (_encoded.Count >= capacity) _encoded.Clear();
                _encoded.Add(value, literal);
            }
            (_lastB, _lastBBytes) = (_lastA, _lastABytes);
            (_lastA, _lastABytes) = (value, literal);
            return literal;
        }
    }

    /// <summary>
    /// Writes entries as <c>{"actor":…,"at":"…","payload":…,"prev":"…","seq":…,"type":…}</c>, the
    /// exact layout of <see cref="LogEntry.Write"/>, into one reusable buffer behind the leaf prefix
    /// byte 0x00, so the leaf hash is computed over the buffer without copying. Reusing the buffer
    /// keeps the working set in cache: nothing is allocated per entry.
    /// </summary>
    internal sealed class EntryWriter(StringCache strings) : IDisposable
    {
        private const int InstantLength = 24; // uuuu-MM-ddTHH:mm:ss.fffZ

        // The fixed parts between the values, keys in canonical (ascending) order.
        private static ReadOnlySpan<byte> ActorKey => "{\"actor\":"u8;
        private static ReadOnlySpan<byte> AtKey => ",\"at\":\""u8;
        private static ReadOnlySpan<byte> PayloadKey => "\",\"payload\":"u8;
        private static ReadOnlySpan<byte> PrevKey => ",\"prev\":\""u8;
        private static ReadOnlySpan<byte> SeqKey => "\",\"seq\":"u8;
        private static ReadOnlySpan<byte> TypeKey => ",\"type\":"u8;

        private byte[] _buffer = new byte[1024];

        // One reused hash context: the one-shot SHA256.HashData sets up and tears down a context
        // per call, which costs about as much as hashing a whole entry with SHA-NI.
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        /// <summary>
        /// Writes the entry and stores its entry hash SHA-256(0x00 ‖ bytes) (see <see cref="MerkleHash.Leaf(ReadOnlySpan{byte})"/>);
        /// returns the entry's bytes, valid until the next write.
        /// </summary>
        public ReadOnlySpan<byte> WriteAndHash(scoped in PendingEntry e, long seq, ReadOnlySpan<byte> prev, Span<byte> hash)
        {
            var length = WritePrefixed(e, seq, prev);
            _sha.AppendData(_buffer.AsSpan(0, 1 + length));
            _sha.GetHashAndReset(hash);
            return _buffer.AsSpan(1, length);
        }

        public void Dispose() => _sha.Dispose();

        /// <summary>The entry's bytes, valid until the next write.</summary>
        public ReadOnlySpan<byte> Write(in PendingEntry e, long seq, ReadOnlySpan<byte> prev) =>
            _buffer.AsSpan(1, WritePrefixed(e, seq, prev));

        private int WritePrefixed(in PendingEntry e, long seq, ReadOnlySpan<byte> prev)
        {
            var actor = strings.Get(e.Actor);
            var type = strings.Get(e.Type);
            Span<byte> at = stackalloc byte[48];
            var atLength = FormatInstant(Formats.TruncateToMillisecond(e.At), at);
            Span<byte> seqText = stackalloc byte[20];
            seq.TryFormat(seqText, out var seqLength, default, CultureInfo.InvariantCulture);
            var payload = e.Payload.Span;

            var length = ActorKey.Length + actor.Length + AtKey.Length + atLength + PayloadKey.Length + payload.Length
                + PrevKey.Length + 2 * HashSize + SeqKey.Length + seqLength + TypeKey.Length + type.Length + 1;
            if (_buffer.Length < 1 + length) _buffer = new byte[Math.Max(1 + length, 2 * _buffer.Length)];
            var d = _buffer.AsSpan(0, 1 + length);
            d[0] = 0x00; // MerkleHash leaf prefix, not part of the entry
            var o = 1;
            Put(d, ref o, ActorKey);
            Put(d, ref o, actor);
            Put(d, ref o, AtKey);
            Put(d, ref o, at[..atLength]);
            Put(d, ref o, PayloadKey);
            Put(d, ref o, payload);
            Put(d, ref o, PrevKey);
            WriteHex(prev, d.Slice(o, 2 * HashSize));
            o += 2 * HashSize;
            Put(d, ref o, SeqKey);
            Put(d, ref o, seqText[..seqLength]);
            Put(d, ref o, TypeKey);
            Put(d, ref o, type);
            d[o] = (byte)'}';
            return length;
        }

        private static void Put(Span<byte> destination, ref int offset, ReadOnlySpan<byte> source)
        {
            source.CopyTo(destination[offset..]);
            offset += source.Length;
        }

        // Lower-case like Hex.Encode, written as UTF-8 by the vectorised converter without a string in between.
        private static void WriteHex(ReadOnlySpan<byte> value, Span<byte> destination)
        {
            if (!Convert.TryToHexStringLower(value, destination, out var written) || written != destination.Length)
                throw new InvalidOperationException("Hex digits do not fit.");
        }

        /// <summary>
        /// <see cref="Formats.Format(Instant)"/> without the pattern engine: civil date from the day
        /// number (H. Hinnant's days-to-civil algorithm for the proleptic Gregorian calendar, which is
        /// NodaTime's ISO calendar). Years outside 1..9999 take the general formatter.
        /// </summary>
        private static int FormatInstant(Instant at, Span<byte> destination)
        {
            var ms = at.ToUnixTimeMilliseconds();
            var days = Math.DivRem(ms, 86_400_000L, out var msOfDay);
            if (msOfDay < 0)
            {
                days--;
                msOfDay += 86_400_000L;
            }
            var z = days + 719_468;
            var era = (z >= 0 ? z : z - 146_096) / 146_097;
            var dayOfEra = z - era * 146_097;
            var yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
            var dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
            var mp = (5 * dayOfYear + 2) / 153;
            var day = (int)(dayOfYear - (153 * mp + 2) / 5 + 1);
            var month = (int)(mp < 10 ? mp + 3 : mp - 9);
            var year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
            if (year is < 1 or > 9999)
                return System.Text.Encoding.UTF8.GetBytes(Formats.Format(at), destination);

            Digits(destination[..4], (int)year);
            destination[4] = (byte)'-';
            Digits(destination.Slice(5, 2), month);
            destination[7] = (byte)'-';
            Digits(destination.Slice(8, 2), day);
            destination[10] = (byte)'T';
            var secondOfDay = (int)(msOfDay / 1000);
            Digits(destination.Slice(11, 2), secondOfDay / 3600);
            destination[13] = (byte)':';
            Digits(destination.Slice(14, 2), secondOfDay / 60 % 60);
            destination[16] = (byte)':';
            Digits(destination.Slice(17, 2), secondOfDay % 60);
            destination[19] = (byte)'.';
            Digits(destination.Slice(20, 3), (int)(msOfDay % 1000));
            destination[23] = (byte)'Z';
            return InstantLength;
        }

        /// <summary>Zero-padded decimal digits filling <paramref name="destination"/>.</summary>
        private static void Digits(Span<byte> destination, int value)
        {
            for (var i = destination.Length - 1; i >= 0; i--)
            {
                destination[i] = (byte)('0' + value % 10);
                value /= 10;
            }
        }
    }
}

/// <summary>
/// Many Merkle interior nodes at once: parent i = SHA-256(0x01 ‖ left ‖ right) over the 64 bytes
/// <c>children[64i .. 64i + 64)</c>, one message per SIMD lane ("multi-buffer" SHA-256, FIPS 180-4 §6.2).
/// </summary>
/// <remarks>
/// A node hash is 65 bytes, two compression blocks; through the platform API most of its cost is
/// the per-call overhead, not the compression. With 16 (AVX-512) or 8 (AVX2) lanes the same
/// arithmetic advances that many independent nodes, which the levels of a subtree provide.
/// Without hardware vectors it falls back to <see cref="MerkleHash.Node(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>.
/// Hashed data is public log content, so timing side channels are of no concern here. Tested
/// against <see cref="SHA256"/> at every width.
/// </remarks>
internal static class NodeHasher
{
    internal enum Width
    {
        Scalar = 1,
        Lanes8 = 8,
        Lanes16 = 16,
    }

    internal static Width Best { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? Width.Lanes16
        : Vector256.IsHardwareAccelerated ? Width.Lanes8
        : Width.Scalar;

    private const int MessageWords = 16;
    private const int DigestWords = 8;
    private const int PairSize = 2 * MerkleHash.SizeInBytes;

    private static ReadOnlySpan<uint> Initial =>
    [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ];

    private static ReadOnlySpan<uint> RoundConstants =>
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    /// <summary>
    /// Hashes <paramref name="count"/> pairs. <paramref name="parents"/> may be the same memory as
    /// <paramref name="children"/> (folding a level in place): each group of lanes reads all its
    /// children before writing its parents, and writes only below the children still to be read.
    /// </summary>
    public static void HashPairs(ReadOnlySpan<byte> children, Span<byte> parents, int count, Width width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(children.Length, count * PairSize, nameof(children));
        ArgumentOutOfRangeException.ThrowIfLessThan(parents.Length, count * MerkleHash.SizeInBytes, nameof(parents));
        switch (width)
        {
            case Width.Lanes16 when Vector512.IsHardwareAccelerated && Avx512F.IsSupported:
                HashLanes<Vector512<uint>, Avx512Lanes>(children, parents, count);
                break;
            case Width.Lanes8 when Vector256.IsHardwareAccelerated:
                HashLanes<Vector256<uint>, Vector256Lanes>(children, parents, count);
                break;
            default:
                for (var i = 0; i < count; i++)
                {
                    var pair = children.Slice(i * PairSize, PairSize);
                    MerkleHash.Node(pair[..MerkleHash.SizeInBytes], pair[MerkleHash.SizeInBytes..], parents.Slice(i * MerkleHash.SizeInBytes, MerkleHash.SizeInBytes));
                }
                break;
        }
    }

    private static void HashLanes<TV, TL>(ReadOnlySpan<byte> children, Span<byte> parents, int count)
        where TV : unmanaged
        where TL : ILanes<TV>
    {
        var lanes = TL.Count;
        // Transposed: word u of lane j at [u * lanes + j], so each word of all lanes loads as one vector.
        Span<uint> words = stackalloc uint[MessageWords * lanes];
        Span<uint> digest = stackalloc uint[DigestWords * lanes];
        for (var first = 0; first < count; first += lanes)
        {
            // A last, partial group repeats its final pair in the spare lanes and discards them.
            var valid = Math.Min(lanes, count - first);
            for (var j = 0; j < lanes; j++)
            {
                var pair = children.Slice((first + Math.Min(j, valid - 1)) * PairSize, PairSize);
                for (var u = 0; u < MessageWords; u++) words[u * lanes + j] = BinaryPrimitives.ReadUInt32BigEndian(pair[(4 * u)..]);
            }
            HashNodes<TV, TL>(words, digest);
            for (var j = 0; j < valid; j++)
            {
                var parent = parents.Slice((first + j) * MerkleHash.SizeInBytes, MerkleHash.SizeInBytes);
                for (var k = 0; k < DigestWords; k++) BinaryPrimitives.WriteUInt32BigEndian(parent[(4 * k)..], digest[k * lanes + j]);
            }
        }
    }

    /// <summary>SHA-256 of 0x01 ‖ (the 64 bytes whose big-endian words are <paramref name="children"/>), per lane.</summary>
    private static void HashNodes<TV, TL>(ReadOnlySpan<uint> children, Span<uint> digest)
        where TV : unmanaged
        where TL : ILanes<TV>
    {
        var lanes = TL.Count;
        Span<TV> w = stackalloc TV[MessageWords];
        Span<TV> state = stackalloc TV[DigestWords];
        for (var k = 0; k < DigestWords; k++) state[k] = TL.Splat(Initial[k]);

        // Block 1: the prefix byte 0x01 and the first 63 child bytes, so every word is the child
        // word shifted right by one byte, topped up with the last byte of the word before.
        var previous = TL.Splat(0x01);
        for (var u = 0; u < MessageWords; u++)
        {
            var current = TL.Load(children.Slice(u * lanes, lanes));
            w[u] = TL.Or(TL.ShiftLeft(previous, 24), TL.ShiftRight(current, 8));
            previous = current;
        }
        Compress<TV, TL>(state, w);

        // Block 2: the last child byte, the 0x80 padding byte, zeros, and the length: 65 bytes = 520 bits.
        w[0] = TL.Or(TL.ShiftLeft(previous, 24), TL.Splat(0x0080_0000));
        for (var u = 1; u < MessageWords - 1; u++) w[u] = TL.Splat(0);
        w[MessageWords - 1] = TL.Splat(65 * 8);
        Compress<TV, TL>(state, w);

        for (var k = 0; k < DigestWords; k++) TL.Store(state[k], digest.Slice(k * lanes, lanes));
    }

    /// <summary>The SHA-256 compression function (FIPS 180-4 §6.2.2) on all lanes; <paramref name="w"/> is overwritten by the message schedule.</summary>
    private static void Compress<TV, TL>(Span<TV> state, Span<TV> w)
        where TV : unmanaged
        where TL : ILanes<TV>
    {
        var a = state[0];
        var b = state[1];
        var c = state[2];
        var d = state[3];
        var e = state[4];
        var f = state[5];
        var g = state[6];
        var h = state[7];
        var k = RoundConstants;
        for (var t = 0; t < 64; t++)
        {
            TV wt;
            if (t < MessageWords)
            {
                wt = w[t];
            }
            else
            {
                // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], kept in a ring of 16.
                var w2 = w[(t - 2) & 15];
                var w15 = w[(t - 15) & 15];
                var sigma1 = TL.Xor3(TL.RotateRight(w2, 17), TL.RotateRight(w2, 19), TL.ShiftRight(w2, 10));
                var sigma0 = TL.Xor3(TL.RotateRight(w15, 7), TL.RotateRight(w15, 18), TL.ShiftRight(w15, 3));
                wt = TL.Add(TL.Add(sigma1, w[(t - 7) & 15]), TL.Add(sigma0, w[t & 15]));
                w[t & 15] = wt;
            }
            var bigSigma1 = TL.Xor3(TL.RotateRight(e, 6), TL.RotateRight(e, 11), TL.RotateRight(e, 25));
            var t1 = TL.Add(TL.Add(h, bigSigma1), TL.Add(TL.Add(TL.Choose(e, f, g), TL.Splat(k[t])), wt));
            var bigSigma0 = TL.Xor3(TL.RotateRight(a, 2), TL.RotateRight(a, 13), TL.RotateRight(a, 22));
            var t2 = TL.Add(bigSigma0, TL.Majority(a, b, c));
            h = g;
            g = f;
            f = e;
            e = TL.Add(d, t1);
            d = c;
            c = b;
            b = a;
            a = TL.Add(t1, t2);
        }
        state[0] = TL.Add(state[0], a);
        state[1] = TL.Add(state[1], b);
        state[2] = TL.Add(state[2], c);
        state[3] = TL.Add(state[3], d);
        state[4] = TL.Add(state[4], e);
        state[5] = TL.Add(state[5], f);
        state[6] = TL.Add(state[6], g);
        state[7] = TL.Add(state[7], h);
    }

    /// <summary>
    /// The word operations SHA-256 needs, on a vector of 32-bit lanes. Static abstract members on a
    /// struct type argument make the JIT compile <see cref="Compress{TV, TL}"/> once per width with
    /// every call inlined, so the rounds are written once.
    /// </summary>
    private interface ILanes<TV>
        where TV : unmanaged
    {
        static abstract int Count { get; }
        static abstract TV Splat(uint value);
        static abstract TV Load(ReadOnlySpan<uint> source);
        static abstract void Store(TV value, Span<uint> destination);
        static abstract TV Add(TV x, TV y);
        static abstract TV Or(TV x, TV y);
        static abstract TV Xor3(TV x, TV y, TV z);
        static abstract TV Choose(TV e, TV f, TV g);
        static abstract TV Majority(TV a, TV b, TV c);
        static abstract TV RotateRight(TV x, [ConstantExpected] byte count);
        static abstract TV ShiftRight(TV x, [ConstantExpected] byte count);
        static abstract TV ShiftLeft(TV x, [ConstantExpected] byte count);
    }

    /// <summary>16 lanes with AVX-512: native rotates (vprord) and three-input logic (vpternlogd).</summary>
    private readonly struct Avx512Lanes : ILanes<Vector512<uint>>
    {
        // vpternlogd truth tables over (x = 0xF0, y = 0xCC, z = 0xAA).
        private const byte Xor3Table = 0x96;     // x ^ y ^ z
        private const byte ChooseTable = 0xCA;   // x ? y : z
        private const byte MajorityTable = 0xE8; // at least two of x, y, z

        public static int Count => Vector512<uint>.Count;
        public static Vector512<uint> Splat(uint value) => Vector512.Create(value);
        public static Vector512<uint> Load(ReadOnlySpan<uint> source) => Vector512.Create(source);
        public static void Store(Vector512<uint> value, Span<uint> destination) => value.CopyTo(destination);
        public static Vector512<uint> Add(Vector512<uint> x, Vector512<uint> y) => x + y;
        public static Vector512<uint> Or(Vector512<uint> x, Vector512<uint> y) => x | y;
        public static Vector512<uint> Xor3(Vector512<uint> x, Vector512<uint> y, Vector512<uint> z) => Avx512F.TernaryLogic(x, y, z, Xor3Table);
        public static Vector512<uint> Choose(Vector512<uint> e, Vector512<uint> f, Vector512<uint> g) => Avx512F.TernaryLogic(e, f, g, ChooseTable);
        public static Vector512<uint> Majority(Vector512<uint> a, Vector512<uint> b, Vector512<uint> c) => Avx512F.TernaryLogic(a, b, c, MajorityTable);
        public static Vector512<uint> RotateRight(Vector512<uint> x, [ConstantExpected] byte count) => Avx512F.RotateRight(x, count);
        public static Vector512<uint> ShiftRight(Vector512<uint> x, [ConstantExpected] byte count) => Vector512.ShiftRightLogical(x, count);
        public static Vector512<uint> ShiftLeft(Vector512<uint> x, [ConstantExpected] byte count) => Vector512.ShiftLeft(x, count);
    }

    /// <summary>8 lanes with portable 256-bit operations (AVX2 on x64): rotates as two shifts.</summary>
    private readonly struct Vector256Lanes : ILanes<Vector256<uint>>
    {
        public static int Count => Vector256<uint>.Count;
        public static Vector256<uint> Splat(uint value) => Vector256.Create(value);
        public static Vector256<uint> Load(ReadOnlySpan<uint> source) => Vector256.Create(source);
        public static void Store(Vector256<uint> value, Span<uint> destination) => value.CopyTo(destination);
        public static Vector256<uint> Add(Vector256<uint> x, Vector256<uint> y) => x + y;
        public static Vector256<uint> Or(Vector256<uint> x, Vector256<uint> y) => x | y;
        public static Vector256<uint> Xor3(Vector256<uint> x, Vector256<uint> y, Vector256<uint> z) => x ^ y ^ z;
        public static Vector256<uint> Choose(Vector256<uint> e, Vector256<uint> f, Vector256<uint> g) => (e & f) | Vector256.AndNot(g, e);
        public static Vector256<uint> Majority(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c) => (a & b) | (c & (a | b));
        public static Vector256<uint> RotateRight(Vector256<uint> x, [ConstantExpected] byte count) =>
            Vector256.ShiftRightLogical(x, count) | Vector256.ShiftLeft(x, 32 - count);
        public static Vector256<uint> ShiftRight(Vector256<uint> x, [ConstantExpected] byte count) => Vector256.ShiftRightLogical(x, count);
        public static Vector256<uint> ShiftLeft(Vector256<uint> x, [ConstantExpected] byte count) => Vector256.ShiftLeft(x, count);
    }
}
