using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;

namespace KinderQueue.Core.Verification;

public sealed partial class LogVerifier
{
    /// <summary>A decision computed on a prefix that ends before the entry just before it (basis &lt; seq, SPEC.md §8.4).</summary>
    private sealed record DeferredDecision(long Seq, long Basis, AllocationDecided Logged, byte[] Payload);

    /// <summary>
    /// The second pass: the first <see cref="DeferredPrefix"/> lines again, in order. Each must hash
    /// exactly as in the first pass (the source must not change between reads); a fresh fold stops
    /// at every noted basis and recomputes the decisions based there. False once a problem is found.
    /// </summary>
    public bool AddDeferred(IReadOnlyList<ReadOnlyMemory<byte>> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var prefix = DeferredPrefix;
        if (prefix == 0) throw new InvalidOperationException("No decision needs a second pass.");
        _replay ??= new DeferredReplay(this, prefix);
        if (_replay.Failed) return false;
        ReadAll(lines);
        for (var i = 0; i < lines.Count && _replay.Size < prefix; i++)
        {
            if (!_replay.Step(ref _lines[i], _lineHashes.AsSpan(i * HashSize, HashSize), _linePrevs.AsMemory(i * HashSize, HashSize))) return false;
        }
        return _replay.Size < prefix;
    }

    /// <summary>Fold of the prefix for the deferred decisions; its findings replace the first pass's when they come earlier in the log.</summary>
    private sealed class DeferredReplay(LogVerifier owner, long prefix) : IDisposable
    {
        private readonly QueueState _state = new();
        // Decisions by basis, earliest first; only those before the first pass's problem matter.
        private readonly Queue<DeferredDecision> _pending = new(owner._deferred
            .Where(d => owner._problem is null || d.Seq < owner._problem.Seq)
            .OrderBy(d => d.Basis).ThenBy(d => d.Seq));

        public long Size => _state.Size;

        public bool Failed { get; private set; }

        public bool Step(ref ReadLine line, ReadOnlySpan<byte> hash, ReadOnlyMemory<byte> prev)
        {
            var position = Size;
            if (line.EntryProblem is not null || line.Seq != position || !hash.SequenceEqual(owner._hashes.Get(position)))
                return Stop(new VerificationFinding(VerificationCheck.Entries, position, "entry.changed", "$",
                    $"Read again for the decisions based on an earlier prefix, entry {position} is not the entry read the first time: the source changed between two reads."));
            if (!Decide()) return false;
            var entry = new LogEntry(line.Seq, line.At, line.Actor, line.Type, line.Payload, prev);
            // The first pass accepted these exact bytes, so the fold cannot reject them now.
            if (line.Event is null || _state.Apply(entry, line.Event) is not null)
                throw new InvalidOperationException($"Entry {position} was accepted by the first pass but not by the second.");
            return Size < prefix || Decide();
        }

        /// <summary>Recomputes every pending decision whose basis is the current size.</summary>
        private bool Decide()
        {
            while (_pending.TryPeek(out var d) && d.Basis == Size)
            {
                _pending.Dequeue();
                var recomputed = Rounds.Decide(_state, d.Logged.Round, d.Logged.Date, d.Logged.StartDate);
                if (owner.DecisionProblem(d.Seq, d.Logged, d.Payload, recomputed) is { } wrong) return Stop(wrong);
            }
            return true;
        }

        private bool Stop(VerificationFinding finding)
        {
            Failed = true;
            owner.Earliest(finding);
            return false;
        }

        public void Finish()
        {
            if (!Failed && _pending.Count > 0)
                throw new InvalidOperationException($"{_pending.Count} deferred decisions were not recomputed.");
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Every entry hash, 32 bytes each, in chunks that are never copied: what the second pass compares with.</summary>
    private sealed class HashColumn
    {
        private const int ChunkEntries = 1 << 16;
        private readonly List<byte[]> _chunks = [];
        private long _count;

        public void Add(ReadOnlySpan<byte> hash)
        {
            var offset = (int)(_count % ChunkEntries);
            if (offset == 0) _chunks.Add(GC.AllocateUninitializedArray<byte>(ChunkEntries * HashSize));
            hash.CopyTo(_chunks[^1].AsSpan(offset * HashSize, HashSize));
            _count++;
        }

        public ReadOnlySpan<byte> Get(long index) =>
            _chunks[(int)(index / ChunkEntries)].AsSpan((int)(index % ChunkEntries) * HashSize, HashSize);
    }
}
