using System.Collections.Immutable;
using System.Text.Json;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Core.Verification;

/// <summary>
/// Verifies a public log line by line, as a validator who trusts nobody does (SPEC.md §15): feed it
/// the exported lines in order (<see cref="Add"/>), then ask for the <see cref="Complete"/> report.
/// Pure: it reads no file and no network; the caller streams the lines from wherever they are, so
/// a large log never has to be in memory (the verifier keeps the fold's state and 32 bytes per entry).
/// </summary>
/// <remarks>
/// <para>
/// For each line, in this order: the line is the canonical entry bytes of what it states, its
/// <c>seq</c> is its position, its <c>prev</c> is the hash of the line before (<see cref="VerificationCheck.Entries"/>);
/// every checkpoint of that size has the root and head computed so far (<see cref="VerificationCheck.Checkpoints"/>,
/// then the saved ones, <see cref="VerificationCheck.Growth"/>); the payload decodes and the fold accepts it, and a
/// decision is recomputed from its basis and compared byte for byte (<see cref="VerificationCheck.Replay"/>); a
/// published dashboard is compared when the log reaches its basis (<see cref="VerificationCheck.Statistics"/>).
/// Checkpoint signatures are checked before the first line. The first failure stops the run: a log
/// that is wrong at one entry says nothing trustworthy after it.
/// </para>
/// <para>
/// The lines of a batch are read (split, re-encoded, hashed, decoded) by several threads at once;
/// everything that depends on order (chain, tree, fold, rounds) then runs on the caller's thread.
/// </para>
/// <para>
/// A decision whose basis is the entry before it (what the service writes) is recomputed on the
/// fold as it stands. A decision with an earlier basis needs the state of a past prefix: it is
/// noted, and after the first pass the caller feeds the first <see cref="DeferredPrefix"/> lines
/// again (<see cref="AddDeferred"/>); they must hash as the first time, and each noted decision is
/// recomputed on a fresh fold stopped at its basis.
/// </para>
/// </remarks>
public sealed partial class LogVerifier : IDisposable
{
    private const int HashSize = MerkleHash.SizeInBytes;

    private readonly VerifierSettings _settings;
    private readonly EntryLineReader[] _readers;
    private readonly List<CheckpointClaim> _expectations = [];
    private readonly List<CheckedCheckpoint> _checked = [];
    private readonly QueueState _state = new();
    private readonly DashboardRecorder _recorder = new();
    private readonly LogHasher.CompactRange _tree = new(NodeHasher.Best);
    private readonly HashColumn _hashes = new();
    private readonly byte[] _head = new byte[HashSize];
    private readonly Dictionary<string, long> _byType = new(StringComparer.Ordinal);
    private readonly List<DeferredDecision> _deferred = [];
    private readonly PublishedDashboard? _dashboard;

    private ReadLine[] _lines = [];
    private byte[] _lineHashes = [];
    private byte[] _linePrevs = [];
    private long _size;
    // Lines of the current batch whose hashes are in the tree: leaves are folded a run at a time (SIMD lanes).
    private int _folded;
    private int _current;
    private int _nextExpectation;
    // Set when a checkpoint's root contradicts the log: entries from here on are in question, though each link held.
    private long? _vouchedSize;
    private VerificationFinding? _problem;
    private int _decisionsRecomputed;
    private bool _dashboardCompared;
    private bool _ended;
    private CheckpointClaim? _latest;
    private DeferredReplay? _replay;

    public LogVerifier(VerifierSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _readers = new EntryLineReader[Math.Max(1, settings.Parallelism)];
        for (var i = 0; i < _readers.Length; i++) _readers[i] = new EntryLineReader();
        var json = settings.Checkpoints.Concat(settings.Saved).Where(c => !CheckpointDocument.IsNote(c.Json.Span));
        if (json.Any() && !CheckpointKey.IsP256Spki(settings.TrustedKey.Span))
            throw new ArgumentException("JSON checkpoints need the trusted key as a 91-byte P-256 SPKI.", nameof(settings));
        if (settings.NoteKey is null && settings.Checkpoints.Concat(settings.Saved).Any(c => CheckpointDocument.IsNote(c.Json.Span)))
            throw new ArgumentException("Checkpoint notes need the note verifier key.", nameof(settings));

        foreach (var c in settings.Checkpoints) Expect(c, saved: false);
        foreach (var c in settings.Saved) Expect(c, saved: true);
        // Same size: published before saved, as the checks are listed.
        _expectations.Sort((a, b) => a.Size != b.Size ? a.Size.CompareTo(b.Size) : a.Saved.CompareTo(b.Saved));
        if (_problem is null && CheckpointOrder.Check(_expectations) is { } disorder) Fail(disorder);
        if (settings.Dashboard is { } d) _dashboard = ReadDashboard(d);
        if (settings.Signals is { } sg && _problem is null) ReadSignals(sg);
        if (_problem is null && AtSize()) CheckSignals();
    }

    /// <summary>Entries that passed every check so far.</summary>
    public long Size => _size;

    /// <summary>The first problem found; once set, no further line is looked at.</summary>
    public VerificationFinding? Problem => _problem;

    /// <summary>
    /// How many lines from the start a second pass must feed to <see cref="AddDeferred"/> (0: no
    /// second pass is needed). Valid after <see cref="EndOfLog"/> or once a problem is found.
    /// </summary>
    public long DeferredPrefix =>
        _deferred.Where(d => _problem is null || d.Seq < _problem.Seq).Select(d => d.Basis).DefaultIfEmpty(0).Max();

    /// <summary>Verifies the next lines of the log (each without its newline). False once a problem has been found: stop feeding.</summary>
    /// <remarks>
    /// The batch is taken in slices: while the caller's thread runs the ordered checks of one slice,
    /// the other threads read the next (split, re-encode, hash, decode). Every read has finished when
    /// this returns, so the caller may reuse the lines' memory.
    /// </remarks>
    public bool Add(IReadOnlyList<ReadOnlyMemory<byte>> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (_ended) throw new InvalidOperationException("The log has ended.");
        if (_problem is not null) return false;
        var n = lines.Count;
        EnsureCapacity(n);
        var overlap = _readers.Length > 1 && n >= _settings.MinParallelBatch;
        if (!overlap) ReadRange(_readers[0], lines, 0, n);
        var slice = _settings.Slice;
        var reading = overlap ? ReadAhead(lines, 0, Math.Min(slice, n)) : null;
        _folded = 0;
        try
        {
            for (var start = 0; start < n; start += slice)
            {
                var end = Math.Min(start + slice, n);
                if (reading is not null)
                {
                    reading.GetAwaiter().GetResult();
                    reading = end < n ? ReadAhead(lines, end, Math.Min(end + slice, n)) : null;
                }
                for (_current = start; _current < end; _current++)
                {
                    if (!Step(ref _lines[_current], _lineHashes.AsSpan(_current * HashSize, HashSize), _linePrevs.AsMemory(_current * HashSize, HashSize))) return false;
                }
            }
        }
        finally
        {
            reading?.GetAwaiter().GetResult();
            FoldPending();
            _folded = _current = 0;
            CollectRounds(wait: false);
        }
        return _problem is null;
    }

    private void EnsureCapacity(int n)
    {
        if (_lines.Length >= n) return;
        _lines = new ReadLine[n];
        _lineHashes = new byte[n * HashSize];
        _linePrevs = new byte[n * HashSize];
    }

    /// <summary>Reads lines [from, to) on the threads other than the caller's.</summary>
    private Task ReadAhead(IReadOnlyList<ReadOnlyMemory<byte>> lines, int from, int to)
    {
        var parts = _readers.Length - 1;
        return Task.Run(() =>
        {
            if (parts == 1)
            {
                ReadRange(_readers[1], lines, from, to);
                return;
            }
            var n = to - from;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
                ReadRange(_readers[1 + part], lines, from + (int)((long)n * part / parts), from + (int)((long)n * (part + 1) / parts)));
        });
    }

    /// <summary>Folds the hashes of the batch's lines accepted so far into the tree.</summary>
    private void FoldPending()
    {
        var accepted = (int)(_size - _tree.Size);
        if (accepted == 0) return;
        _tree.Fold(_lineHashes.AsSpan(_folded * HashSize, accepted * HashSize));
        _folded += accepted;
    }

    /// <summary>
    /// The source has no more lines. <paramref name="unterminatedLine"/>: the last line it gave was
    /// not followed by a newline (SPEC.md §6.4 forbids using such a line, so it was not given to <see cref="Add"/>).
    /// </summary>
    public void EndOfLog(bool unterminatedLine = false)
    {
        _ended = true;
        CollectRounds(wait: true);
        if (_problem is not null) return;
        if (unterminatedLine)
        {
            Fail(VerificationCheck.Entries, Size, "export.unterminated", "$", "The last line has no newline: the export was cut off (SPEC.md §6.4).");
            return;
        }
        if (_state.PendingDecision is { } open)
        {
            // The service appends all parts of a decision in one transaction, and no checkpoint falls inside one.
            Fail(VerificationCheck.Replay, open.Seq, "decision.parts-incomplete", "$.parts",
                $"The log ends inside round '{open.First.Round}': {open.Next} of its {open.First.Parts} parts are present (SPEC.md §8.5).");
            return;
        }
        if (_nextExpectation < _expectations.Count)
        {
            var x = _expectations[_nextExpectation];
            if (x.Saved)
                Fail(VerificationCheck.Growth, null, "growth.shorter", "$.size",
                    $"A checkpoint saved earlier covers {x.Size} entries but the log now has only {Size}: entries were removed.", x.Subject);
            else
                Fail(VerificationCheck.Checkpoints, null, "checkpoint.beyond-log", "$.size",
                    $"The checkpoint covers {x.Size} entries but the log has only {Size}: the log served is shorter than the log signed.", x.Subject);
            return;
        }
        if (_dashboard is { } d && !_dashboardCompared)
        {
            Fail(VerificationCheck.Statistics, null, "statistics.beyond-log", "$.basis",
                $"The dashboard is computed on {d.Basis} entries but the log has only {Size}.", d.Subject);
            return;
        }
        if (_publishedSignals is { } sg && !_signalsCompared)
            Fail(VerificationCheck.Signals, null, "signals.beyond-log", "$.size",
                $"The signals document is computed on {sg.Document.Size} entries but the log has only {Size}.", sg.Subject);
    }

    /// <summary>Reads a whole batch at once on every thread (the second pass, which is rare, needs nothing finer).</summary>
    private void ReadAll(IReadOnlyList<ReadOnlyMemory<byte>> lines)
    {
        var n = lines.Count;
        EnsureCapacity(n);
        var parts = n < _settings.MinParallelBatch ? 1 : Math.Min(_readers.Length, n);
        if (parts == 1)
        {
            ReadRange(_readers[0], lines, 0, n);
            return;
        }
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
            ReadRange(_readers[part], lines, (int)((long)n * part / parts), (int)((long)n * (part + 1) / parts)));
    }

    private void ReadRange(EntryLineReader reader, IReadOnlyList<ReadOnlyMemory<byte>> lines, int from, int to)
    {
        for (var i = from; i < to; i++)
            reader.Read(lines[i], ref _lines[i], _lineHashes.AsSpan(i * HashSize, HashSize), _linePrevs.AsSpan(i * HashSize, HashSize));
    }

    /// <summary>All checks of one line, in order. False when one failed.</summary>
    private bool Step(ref ReadLine line, ReadOnlySpan<byte> hash, ReadOnlyMemory<byte> prev)
    {
        var position = Size;
        if (line.EntryProblem is { } bad)
            return Fail(VerificationCheck.Entries, position, bad.Code, bad.Path, bad.Code.StartsWith("export.", StringComparison.Ordinal)
                ? $"Line {position + 1} {bad.Message}"
                : $"The line is not a well-formed entry: {bad.Message}");
        if (line.Seq != position)
            return Fail(VerificationCheck.Entries, position, "entry.sequence", "$.seq", line.Seq < position
                ? $"The line at position {position} says seq {line.Seq}: an entry was inserted, repeated or moved before it."
                : $"The line at position {position} says seq {line.Seq}: entry {position} is missing (deleted or moved).");
        if (!prev.Span.SequenceEqual(_head))
            return Fail(VerificationCheck.Entries, position, "entry.chain", "$.prev", position == 0
                ? "Entry 0 must have 64 zeros as its prev."
                : $"Its prev {Hex.Encode(prev.Span)} is not the hash of entry {position - 1} ({Hex.Encode(_head)}): entry {position - 1} was changed, or this link was.");

        hash.CopyTo(_head);
        _hashes.Add(hash);
        _size++;
        if (!AtSize()) return false;

        var entry = new LogEntry(line.Seq, line.At, line.Actor, line.Type, line.Payload, prev);
        if (!Replay(entry, line.Event, line.EventProblem)) return false;
        return CheckDashboard() && CheckSignals();
    }

    /// <summary>Checks every expected checkpoint of the current size.</summary>
    private bool AtSize()
    {
        while (_nextExpectation < _expectations.Count && _expectations[_nextExpectation].Size == Size)
        {
            var x = _expectations[_nextExpectation++];
            FoldPending();
            var root = _tree.Root();
            var check = x.Saved ? VerificationCheck.Growth : VerificationCheck.Checkpoints;
            if (!root.AsSpan().SequenceEqual(x.Root))
            {
                // Every link held, so the change is somewhere after the last checkpoint of the same
                // history that matched; the root cannot tell where. A saved checkpoint is the old
                // history: only saved ones narrow it (a published one may sign the rewritten log).
                var from = _checked.Where(c => c.Size < Size && (c.Saved || !x.Saved)).Select(c => c.Size).DefaultIfEmpty(0).Max();
                _vouchedSize = from;
                var where = Size == 0 ? "the empty log" : from == 0
                    ? $"entries 0..{Size - 1} (no smaller checkpoint matched to narrow it down)"
                    : $"entries {from}..{Size - 1} (the first {from} matched the checkpoint of size {from}; which entry after them changed, the root cannot tell)";
                return Fail(new VerificationFinding(check, Size == 0 ? null : Size - 1, x.Saved ? "growth.rewritten" : "checkpoint.root", "$.root", x.Saved
                    ? $"The log's first {Size} entries have Merkle root {Hex.Encode(root)}, but a checkpoint saved earlier signed {Hex.Encode(x.Root)}: history was rewritten in {where}."
                    : $"The Merkle root of the first {Size} entries is {Hex.Encode(root)}, but the {x.Kind} signs {Hex.Encode(x.Root)}: the log served is not the log signed; it differs in {where}.",
                    x.Subject) { From = Size == 0 ? null : from });
            }
            if (!_head.AsSpan().SequenceEqual(x.Head))
            {
                return Fail(check, Size == 0 ? null : Size - 1, x.Saved ? "growth.rewritten" : "checkpoint.head", "$.head",
                    $"The chain head after {Size} entries is {Hex.Encode(_head)}, but the {x.Kind} signs {Hex.Encode(x.Head)}.", x.Subject);
            }
            _checked.Add(new CheckedCheckpoint(x.Subject, x.Size, Hex.Encode(root), x.Saved));
            if (!x.Saved && x.Json is not null && (_latest is null || x.Size >= _latest.Size)) _latest = x;
        }
        return true;
    }

    /// <summary>The fold (SPEC.md §8) and, for a decision, the round recomputed from its basis (§8.4).</summary>
    private bool Replay(LogEntry entry, LogEvent? e, ValidationProblem? eventProblem)
    {
        if (e is null)
            return Fail(VerificationCheck.Replay, entry.Seq, eventProblem!.Code, eventProblem.Path, $"The payload of this {entry.Type} entry does not decode: {eventProblem.Message}");

        RoundJob? round = null;
        // A decision is recomputed when it is complete: at its entry, or at the last of its parts, whose
        // state before is still the one its first part was written on (SPEC.md §8.5). It is compared in
        // its one-entry form; the fold checks that the parts are the cut §8.5 prescribes.
        if (_state.Completes(e) is { } completed)
        {
            var (at, d) = completed;
            var payload = ReferenceEquals(d, e) ? entry.Payload : EventCodec.Encode(d);
            if (d.Basis == at) round = StartRound(at, d, payload);
            else if (d.Basis < at) _deferred.Add(new DeferredDecision(at, d.Basis, d, payload.ToArray()));
        }
        if (_state.Apply(entry, e) is { } rejected)
            return Fail(VerificationCheck.Replay, entry.Seq, rejected.Code, rejected.Path, $"The fold rejects this {entry.Type} entry: {rejected.Message}");
        // The recorder keeps what the dashboard needs beyond the state: only when there is one to compare.
        if (_dashboard is not null && _state.LastEffect is { } effect) _recorder.Observe(entry, effect, _state);
        _byType[entry.Type] = _byType.GetValueOrDefault(entry.Type) + 1;
        if (round is { Problem: { } cannot }) return Fail(cannot);
        if (round is not null) _rounds.Add(round);
        return ObserveSignals(entry);
    }

    /// <summary>A decision being recomputed: the allocation runs on another thread while the fold goes on.</summary>
    private sealed record RoundJob(long Seq, AllocationDecided Logged, byte[] Payload, Task<AllocationDecided>? Task, VerificationFinding? Problem);

    private readonly List<RoundJob> _rounds = [];

    /// <summary>
    /// Rounds.Decide (SPEC.md §8.4) split in two: the input is taken from the fold now (it is about
    /// to change), the allocation runs in the background and is compared later (<see cref="CollectRounds"/>).
    /// </summary>
    private RoundJob StartRound(long seq, AllocationDecided logged, ReadOnlyMemory<byte> payload)
    {
        // The checks of Rounds.Decide, in its order.
        var input = string.IsNullOrWhiteSpace(logged.Round)
            ? Parsed<AllocationInput>.Fail("$.round", "round.id", "A round needs an id.")
            : RoundBuilder.Build(_state, logged.Date, logged.StartDate);
        if (!input.Success)
        {
            _decisionsRecomputed++;
            var p = input.Problems[0];
            return new RoundJob(seq, logged, [], null, new VerificationFinding(VerificationCheck.Replay, seq, p.Code, p.Path,
                $"Round '{logged.Round}' cannot be run on the first {logged.Basis} entries: {p.Message} A decision the rules cannot compute did not follow from them."));
        }
        var basis = seq;
        // The decision alone: a validator needs no explanations (Allocator.Decide equals Allocate's offers and archived).
        var allocation = _readers.Length > 1
            ? Task.Run(() => Allocator.Decide(input.Value!, logged.Round, basis))
            : Task.FromResult(Allocator.Decide(input.Value!, logged.Round, basis));
        return new RoundJob(seq, logged, payload.ToArray(), allocation, null);
    }

    /// <summary>Compares the decisions whose allocation has finished (all of them when <paramref name="wait"/>).</summary>
    private void CollectRounds(bool wait)
    {
        for (var i = 0; i < _rounds.Count; i++)
        {
            var job = _rounds[i];
            if (!wait && !job.Task!.IsCompleted) continue;
            var recomputed = job.Task!.GetAwaiter().GetResult();
            _rounds.RemoveAt(i--);
            _decisionsRecomputed++;
            if (DecisionProblem(job.Seq, job.Logged, job.Payload, recomputed) is { } wrong) Earliest(wrong);
        }
    }

    /// <summary>The second pass's form: the whole outcome of <see cref="Rounds.Decide"/>.</summary>
    private VerificationFinding? DecisionProblem(long seq, AllocationDecided logged, ReadOnlySpan<byte> payload, Parsed<Rounds.RoundOutcome> recomputed)
    {
        _decisionsRecomputed++;
        if (recomputed.Success) return DecisionProblem(seq, logged, payload, recomputed.Value!.Decision);
        var p = recomputed.Problems[0];
        return new VerificationFinding(VerificationCheck.Replay, seq, p.Code, p.Path,
            $"Round '{logged.Round}' cannot be run on the first {logged.Basis} entries: {p.Message} A decision the rules cannot compute did not follow from them.");
    }

    private static VerificationFinding? DecisionProblem(long seq, AllocationDecided logged, ReadOnlySpan<byte> payload, AllocationDecided recomputed)
    {
        if (EventCodec.Encode(recomputed).AsSpan().SequenceEqual(payload)) return null;
        return new VerificationFinding(VerificationCheck.Replay, seq, "decision.differs", DecisionDiff.Path(logged, recomputed),
            $"Round '{logged.Round}' recomputed from the first {logged.Basis} entries gives another decision: {DecisionDiff.Describe(logged, recomputed)}");
    }

    /// <summary>A problem found out of order (a background round, the second pass): the earliest in the log is the one reported.</summary>
    private void Earliest(VerificationFinding finding)
    {
        if (_problem is null || (finding.Seq ?? long.MaxValue) < (_problem.Seq ?? long.MaxValue)) _problem = finding;
    }

    private bool CheckDashboard()
    {
        if (_dashboard is not { } d || _dashboardCompared || Size != d.Basis) return true;
        _dashboardCompared = true;
        var ours = DashboardJson.ToCanonicalBytes(_recorder.Build(_state, d.AsOf));
        if (ours.AsSpan().SequenceEqual(d.Json.Span)) return true;
        var path = JsonDiff.FirstDifference(d.Json, ours, out var published, out var recomputed);
        return Fail(VerificationCheck.Statistics, d.Basis == 0 ? null : d.Basis - 1, "statistics.differs", path,
            $"The published dashboard (basis {d.Basis}, as of {Formats.Format(d.AsOf)}) differs from the one recomputed from the log at {path}: published {published}, recomputed {recomputed}.",
            d.Subject);
    }

    private bool Fail(VerificationCheck check, long? seq, string code, string path, string message, string? subject = null) =>
        Fail(new VerificationFinding(check, seq, code, path, message, subject));

    private bool Fail(VerificationFinding finding)
    {
        _problem ??= finding;
        return false;
    }

    /// <summary>The report; call after <see cref="EndOfLog"/> (or after a problem) and after the second pass if <see cref="DeferredPrefix"/> asked for one.</summary>
    public VerificationReport Complete()
    {
        if (DeferredPrefix > 0 && (_replay is null || _replay.Size < DeferredPrefix) && !(_replay?.Failed ?? false))
            throw new InvalidOperationException($"Decisions with an earlier basis are pending: feed the first {DeferredPrefix} lines to AddDeferred.");
        if (_problem is null && !_ended) throw new InvalidOperationException("Call EndOfLog first.");
        CollectRounds(wait: true);
        _replay?.Finish();
        var apps = _state.Applications.Values;
        var totals = new ReplayTotals(
            Size,
            _byType.ToImmutableSortedDictionary(StringComparer.Ordinal),
            apps.GroupBy(a => StatusText(a.Status)).ToImmutableSortedDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            _state.Decisions.Count,
            _state.Decisions.Sum(x => (long)x.Decision.Offers.Length),
            _state.Decisions.Sum(x => (long)x.Decision.Archived.Length),
            apps.Count(a => a.Status == ApplicationStatus.Enrolled && a.Placement is { OutsideAlgorithm: false }),
            apps.Count(a => a.Status == ApplicationStatus.Enrolled && a.Placement is { OutsideAlgorithm: true }));
        var intact = _problem is null;
        // The longest prefix that passed every check: the entries before the failing one, or before
        // the range a checkpoint put in question.
        var size = _problem?.Seq is { } failed && failed < Size ? failed : Size;
        if (_vouchedSize is { } vouched && vouched < size) size = vouched;
        var head = size == Size ? Hex.Encode(_head) : size == 0 ? Hex.Encode(new byte[HashSize]) : Hex.Encode(_hashes.Get(size - 1));
        return new VerificationReport(size, head, Hex.Encode(size == Size ? _tree.Root() : RootAt(size)), _problem, [.. _checked],
            _decisionsRecomputed, _dashboardCompared, totals)
        {
            Latest = intact ? _latest?.Json : null,
            LatestJson = intact && _latest is not null ? _latest.Bytes : default,
            UnsignedTail = intact ? UnsignedTail() : null,
            SignalsCompared = _signalsCompared,
            Signals = _signals.Document(),
        };
    }

    /// <summary>Entries after the largest checkpoint checked: they verified, but no signature covers them yet.</summary>
    private UnsignedTail? UnsignedTail()
    {
        var covered = _checked.Select(c => c.Size).DefaultIfEmpty(0).Max();
        return Size > covered ? new UnsignedTail(covered, Size - covered) : null;
    }

    /// <summary>MTH of the first <paramref name="size"/> entries, from the kept hashes (only for a report that stops early).</summary>
    private byte[] RootAt(long size)
    {
        var tree = new MerkleAccumulator();
        for (long i = 0; i < size; i++) tree.Append(_hashes.Get(i));
        return tree.Root();
    }

    /// <summary>The status words of SPEC.md §2.</summary>
    public static string StatusText(ApplicationStatus status) => status switch
    {
        ApplicationStatus.Waiting => "waiting",
        ApplicationStatus.Offered => "offered",
        ApplicationStatus.Accepted => "accepted",
        ApplicationStatus.Enrolled => "enrolled",
        ApplicationStatus.Paused => "paused",
        ApplicationStatus.Withdrawn => "withdrawn",
        _ => "archived",
    };

    public void Dispose()
    {
        foreach (var r in _readers) r.Dispose();
        _replay?.Dispose();
    }

    // ------------------------------------------------------------------ inputs

    private void Expect(CheckpointEvidence evidence, bool saved)
    {
        if (_problem is not null) return;
        if (CheckpointClaims.Read(evidence, saved, _settings.TrustedKey.Span, _settings.NoteKey, out var problem) is { } claim) _expectations.Add(claim);
        else Fail(problem!);
    }

    private sealed record PublishedDashboard(string Subject, ReadOnlyMemory<byte> Json, long Basis, LocalDate AsOf);

    private PublishedDashboard? ReadDashboard(CheckpointEvidence d)
    {
        try
        {
            using var doc = CanonicalJson.Parse(d.Json);
            var f = new JsonFields();
            if (f.IsObject(doc.RootElement, "$"))
            {
                var basis = f.Integer(doc.RootElement, "$", "basis", 0, long.MaxValue);
                var asOf = f.Date(doc.RootElement, "$", "asOf");
                if (!f.HasProblems) return new PublishedDashboard(d.Subject, d.Json, basis!.Value, asOf!.Value);
            }
            var p = f.Problems[0];
            Fail(VerificationCheck.Statistics, null, p.Code, p.Path, $"Not a dashboard document: {p.Message}", d.Subject);
        }
        catch (JsonException ex)
        {
            Fail(VerificationCheck.Statistics, null, "json.malformed", "$", $"Not a dashboard document: {ex.Message}", d.Subject);
        }
        return null;
    }
}
