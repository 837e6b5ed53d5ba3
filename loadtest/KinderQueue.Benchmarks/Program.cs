using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Log;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;

namespace KinderQueue.Benchmarks;

/// <summary>
/// Load benchmarks. Each command prints exactly one JSON line on stdout; everything meant for
/// people goes to stderr.
/// <code>
/// allocate --applicants N [--seed S] [--runs R] [--shuffle]   time Allocator.Allocate on a synthetic region against
///                                                 textbook deferred acceptance over the same round (DeferredAcceptanceYardstick)
/// log --entries N [--seed S] [--runs R] [--verify] time LogHasher (bytes, chain, Merkle root)
/// digest --applicants N [--seed S]                SHA-256 of the canonical result bytes (before/after checks)
/// positions --applications N [--shape day|year] [--seed S] [--runs R] [--lookups L]
///                                                 QueueIndex.Observe over a generated log, memory, lookups
/// dashboard --applications N [--seed S] [--runs R] fold a year of a region's log with and without the dashboard
///                                                 recorder, then time DashboardRecorder.Build and the JSON
/// verify [--entries N] [--seed S] [--runs R] [--file F] [--no-breakdown] [--digest]   kq verify on an N-entry log file against SHA-256 of its lines
/// </code>
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage:
          allocate --applicants N [--seed S] [--runs R] [--shuffle] [--criteria FILE]
          log --entries N [--seed S] [--runs R] [--verify]
          digest --applicants N [--seed S] [--shuffle] [--criteria FILE]
          positions --applications N [--shape day|year] [--seed S] [--runs R] [--lookups L] [--criteria FILE]
          dashboard --applications N [--seed S] [--runs R] [--criteria FILE]
          verify [--entries N] [--seed S] [--runs R] [--file F] [--criteria FILE] [--no-breakdown] [--digest]
        """;

    public static int Main(string[] args)
    {
        try
        {
            if (args.Length == 0) return Fail(Usage);
            var options = Options.Parse(args.AsSpan(1));
            return args[0] switch
            {
                "allocate" => BenchAllocate(options),
                "log" => BenchLog(options),
                "digest" => Digest(options),
                "positions" => PositionsBenchmark.Run(options.Int("applications"), options.ULong("seed", 1), options.String("shape") ?? "year",
                    options.Int("runs", 3), options.Int("lookups", 200_000), LoadCriteria(options.String("criteria"))),
                "dashboard" => BenchDashboard(options),
                "verify" => VerifyBenchmark.Run(options.Int("entries", 1_000_000), options.ULong("seed", 1), options.Int("runs", 3),
                    options.String("file"), LoadCriteria(options.String("criteria")), breakdown: !options.Flag("no-breakdown"), digest: options.Flag("digest")),
                _ => Fail(Usage),
            };
        }
        catch (FormatException ex)
        {
            return Fail($"{ex.Message}\n{Usage}");
        }
    }

    private static int BenchAllocate(Options o)
    {
        var n = o.Int("applicants");
        var seed = o.ULong("seed", 1);
        var runs = o.Int("runs", 3);
        var criteria = LoadCriteria(o.String("criteria"));

        var sw = Stopwatch.StartNew();
        var warmInput = RegionGenerator.Generate(criteria, Math.Min(n, 50_000), unchecked(seed + 1));
        var input = RegionGenerator.Generate(criteria, n, seed);
        if (o.Flag("shuffle")) input = RegionGenerator.Shuffle(input, seed);
        var inputMegabytes = GC.GetTotalMemory(forceFullCollection: true) / (1024.0 * 1024.0);
        Log($"generated {n:N0} applicants, {input.Programs.Length:N0} programs, {input.Kindergartens.Length:N0} kindergartens, " +
            $"{input.Programs.Sum(p => (long)p.Seats):N0} seats in {sw.ElapsedMilliseconds:N0} ms; managed heap {inputMegabytes:F0} MB " +
            $"(both inputs), peak working set so far {PeakMegabytes():F0} MB");

        // Warm-up on a smaller region: JIT and tiering, so the timing is of the algorithm.
        sw.Restart();
        _ = Allocator.Allocate(warmInput);
        Log($"warm-up ({warmInput.Applicants.Length:N0} applicants, cold): {sw.Elapsed.TotalMilliseconds:F1} ms");
        _ = DeferredAcceptanceYardstick.Prepare(warmInput).Run();
        warmInput = null;

        AllocationResult? result = null;
        var best = double.MaxValue;
        var bestRun = default(RunCost);
        for (var run = 0; run < runs; run++)
        {
            result = null;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            var before = RunCost.Now();
            sw.Restart();
            result = Allocator.Allocate(input);
            sw.Stop();
            var cost = RunCost.Now() - before;
            if (sw.Elapsed.TotalMilliseconds < best) (best, bestRun) = (sw.Elapsed.TotalMilliseconds, cost);
            Log($"run {run + 1}: {sw.Elapsed.TotalMilliseconds:F1} ms, {cost}");
        }
        // The engine's peak: before the yardstick's own arrays exist.
        var peak = PeakMegabytes();

        var r = result!;
        result = null;
        var counts = Enum.GetValues<RoundStatus>().Where(s => r.CountWith(s) > 0).Select(s => $"{ResultJson.Text(s)} {r.CountWith(s):N0}");
        Log($"outcome: {string.Join(", ", counts)}; archived {r.Archived.Length:N0}");
        var (proposals, offered) = (r.Proposals, r.Offers.Length);

        // The yardstick in the same run: plain deferred acceptance over arrays prepared untimed.
        sw.Restart();
        var yardstick = DeferredAcceptanceYardstick.Prepare(input);
        Log($"yardstick prepared (untimed) in {sw.ElapsedMilliseconds:N0} ms");
        var floor = double.MaxValue;
        for (var run = 0; run < runs; run++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            sw.Restart();
            var (yProposals, yMatched) = yardstick.Run();
            sw.Stop();
            floor = Math.Min(floor, sw.Elapsed.TotalMilliseconds);
            if (yProposals != proposals || yMatched != offered)
                throw new InvalidOperationException($"The yardstick made {yProposals} proposals and {yMatched} matches; the engine {proposals} and {offered}.");
        }
        var ratio = best / Math.Max(floor, 0.001);
        Log($"yardstick (textbook deferred acceptance, PriorityQueue per program, same {proposals:N0} proposals and {offered:N0} offers): " +
            $"{floor:F1} ms; engine / yardstick {ratio:F2}");
        Emit($$"""{"bench":"allocate","applicants":{{n}},"programs":{{input.Programs.Length}},"proposals":{{proposals}},"ms":{{F1(best)}},"yardstick_ms":{{F1(floor)}},"ratio":{{ratio.ToString("F2", CultureInfo.InvariantCulture)}},"alloc_mb":{{F1(bestRun.AllocatedBytes / (1024.0 * 1024.0))}},"gen0":{{bestRun.Gen0}},"gen2":{{bestRun.Gen2}},"gc_pause_ms":{{F1(bestRun.Pause.TotalMilliseconds)}},"input_mb":{{F1(inputMegabytes)}},"peak_mb":{{F1(peak)}}}""");
        return 0;
    }

    /// <summary>What a run cost besides time: bytes allocated, collections, their pauses (load-independent figures).</summary>
    private readonly record struct RunCost(long AllocatedBytes, int Gen0, int Gen2, TimeSpan Pause)
    {
        public static RunCost Now() =>
            new(GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration());

        public static RunCost operator -(RunCost a, RunCost b) => new(a.AllocatedBytes - b.AllocatedBytes, a.Gen0 - b.Gen0, a.Gen2 - b.Gen2, a.Pause - b.Pause);

        public override string ToString() =>
            $"allocated {AllocatedBytes / (1024.0 * 1024.0):F1} MB, GCs: gen0 {Gen0}, gen2 {Gen2}, pause {Pause.TotalMilliseconds:F0} ms";
    }

    private static int BenchLog(Options o)
    {
        var n = o.Int("entries");
        var seed = o.ULong("seed", 1);
        var runs = o.Int("runs", 3);

        var sw = Stopwatch.StartNew();
        var entries = LogWorkload.Generate(n, seed);
        var payloadBytes = entries.Sum(e => (long)e.Payload.Length);
        Log($"generated {n:N0} application.submitted payloads (mean {(n == 0 ? 0 : payloadBytes / n)} bytes) in {sw.ElapsedMilliseconds:N0} ms");

        sw.Restart();
        _ = LogHasher.Append(entries.GetRange(0, Math.Min(n, 50_000)));
        Log($"warm-up ({Math.Min(n, 50_000):N0} entries, cold): {sw.Elapsed.TotalMilliseconds:F1} ms");

        LogHashBatch? batch = null;
        var best = double.MaxValue;
        for (var run = 0; run < runs; run++)
        {
            batch = null;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            var gcs = GC.CollectionCount(0);
            var pause = GC.GetTotalPauseDuration();
            sw.Restart();
            batch = LogHasher.Append(entries);
            sw.Stop();
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
            Log($"run {run + 1}: {sw.Elapsed.TotalMilliseconds:F1} ms = {Rate(n, sw.Elapsed.TotalMilliseconds):N0} entries/s " +
                $"(GCs {GC.CollectionCount(0) - gcs}, GC pause {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F0} ms)");
        }

        var b = batch!;
        // Materialise the bytes (outside any timing) through LogHashBatch.EntryBytes, which builds
        // them with LogEntry.ToBytes and checks each against the hash LogHasher computed: every
        // run thus also checks the fast writer on all entries.
        sw.Restart();
        var bytes = new byte[n][];
        long entryBytes = 0;
        for (var i = 0; i < n; i++)
        {
            bytes[i] = b.EntryBytes(i);
            entryBytes += bytes[i].Length;
        }
        Log($"entries: mean {(n == 0 ? 0 : entryBytes / n)} bytes, all equal to LogEntry.ToBytes ({sw.ElapsedMilliseconds:N0} ms); " +
            $"head {Hex.Encode(b.Head)}; root {Hex.Encode(b.Root)}");

        // The floor: one plain SHA-256 per entry on one thread, no chaining, no tree.
        Span<byte> digest = stackalloc byte[32];
        var floor = double.MaxValue;
        for (var run = 0; run < runs; run++)
        {
            sw.Restart();
            for (var i = 0; i < n; i++) SHA256.HashData(bytes[i], digest);
            floor = Math.Min(floor, sw.Elapsed.TotalMilliseconds);
        }
        Log($"floor (plain SHA256.HashData of the same {n:N0} entry bytes, one thread): {floor:F1} ms = {Rate(n, floor):N0} hashes/s");

        if (o.Flag("verify")) Verify(entries, b);

        Emit($$"""{"bench":"log","entries":{{n}},"ms":{{F1(best)}},"entries_per_s":{{Rate(n, best):F0}}}""");
        return 0;
    }

    /// <summary>Recomputes the batch the slow, obvious way (LogChain + MerkleTree) and compares.</summary>
    private static void Verify(List<PendingEntry> entries, LogHashBatch b)
    {
        var sw = Stopwatch.StartNew();
        var chain = new LogChain();
        var leaves = new List<byte[]>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var (_, bytes, hash) = chain.Append(e.At, e.Actor, e.Type, e.Payload.ToArray());
            if (!bytes.AsSpan().SequenceEqual(b.EntryBytes(i)) || !hash.AsSpan().SequenceEqual(b.EntryHash(i)))
                throw new InvalidOperationException($"Entry {i} differs from LogChain.");
            leaves.Add(hash);
        }
        var same = chain.Head.SequenceEqual(b.Head) && MerkleTree.Root(leaves, leaves.Count).AsSpan().SequenceEqual(b.Root);
        if (!same) throw new InvalidOperationException("Head or root differs from LogChain + MerkleTree.");
        Log($"verify: bytes, hashes, head and root equal LogChain + MerkleTree.Root ({sw.Elapsed.TotalMilliseconds:F0} ms single-threaded reference)");
    }

    private static int Digest(Options o)
    {
        var n = o.Int("applicants");
        var seed = o.ULong("seed", 1);
        var input = RegionGenerator.Generate(LoadCriteria(o.String("criteria")), n, seed);
        if (o.Flag("shuffle")) input = RegionGenerator.Shuffle(input, seed);
        var bytes = ResultJson.ToCanonicalBytes(Allocator.Allocate(input));
        Log($"result: {bytes.Length:N0} canonical bytes");
        Emit($$"""{"bench":"digest","applicants":{{n}},"seed":{{seed}},"sha256":"{{Hex.Encode(SHA256.HashData(bytes))}}"}""");
        return 0;
    }

    private static int BenchDashboard(Options o)
    {
        var n = o.Int("applications");
        var seed = o.ULong("seed", 1);
        var runs = o.Int("runs", 3);
        var criteria = LoadCriteria(o.String("criteria"));

        var sw = Stopwatch.StartNew();
        var log = DashboardWorkload.Generate(criteria, n, seed);
        var entries = log.Entries;
        var statuses = log.State.Applications.Values.GroupBy(a => a.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count():N0}");
        Log($"generated {entries.Count:N0} entries ({log.Rejected:N0} events the fold refused were left out), {log.State.Applications.Count:N0} applications " +
            $"({string.Join(", ", statuses)}), {log.State.Kindergartens.Count:N0} kindergartens, {log.State.Districts.Count:N0} districts in {sw.ElapsedMilliseconds:N0} ms");

        // The fold alone, then the fold with the recorder observing every entry; Observe is also timed
        // call by call (two timestamps per entry, whose own cost is included: an upper bound).
        double foldBest = double.MaxValue, observedBest = double.MaxValue, observeBest = double.MaxValue;
        QueueState? state = null;
        DashboardRecorder? recorder = null;
        for (var run = 0; run < runs; run++)
        {
            state = null;
            recorder = null;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            var plain = new QueueState();
            sw.Restart();
            foreach (var (entry, e) in entries) plain.Apply(entry, e);
            sw.Stop();
            foldBest = Math.Min(foldBest, sw.Elapsed.TotalMilliseconds);
            plain = null;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            state = new QueueState();
            recorder = new DashboardRecorder();
            long observeTicks = 0;
            sw.Restart();
            foreach (var (entry, e) in entries)
            {
                state.Apply(entry, e);
                var before = Stopwatch.GetTimestamp();
                recorder.Observe(entry, e, state);
                observeTicks += Stopwatch.GetTimestamp() - before;
            }
            sw.Stop();
            observedBest = Math.Min(observedBest, sw.Elapsed.TotalMilliseconds);
            var observeMs = observeTicks * 1000.0 / Stopwatch.Frequency;
            observeBest = Math.Min(observeBest, observeMs);
            Log($"run {run + 1}: fold {foldBest:F1} ms, fold + Observe {sw.Elapsed.TotalMilliseconds:F1} ms, of which Observe {observeMs:F1} ms");
        }
        var observeNs = entries.Count == 0 ? 0 : observeBest * 1e6 / entries.Count;

        sw.Restart();
        var dashboard = recorder!.Build(state!, DashboardWorkload.AsOf);
        Log($"build (cold): {sw.Elapsed.TotalMilliseconds:F1} ms");
        var buildBest = double.MaxValue;
        for (var run = 0; run < runs; run++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            sw.Restart();
            dashboard = recorder.Build(state!, DashboardWorkload.AsOf);
            sw.Stop();
            buildBest = Math.Min(buildBest, sw.Elapsed.TotalMilliseconds);
            Log($"build run {run + 1}: {sw.Elapsed.TotalMilliseconds:F1} ms");
        }
        sw.Restart();
        var json = DashboardJson.ToCanonicalBytes(dashboard);
        var jsonMs = sw.Elapsed.TotalMilliseconds;

        var counts = AllCounts(dashboard).ToList();
        var byMarker = counts.GroupBy(c => c.Marker).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count():N0}");
        Log($"dashboard: {dashboard.ByKindergarten.Length:N0} kindergarten rows, {dashboard.ByDistrict.Length:N0} district rows, {dashboard.Months.Length} months, " +
            $"{counts.Count:N0} counts ({string.Join(", ", byMarker)}); JSON {json.Length:N0} bytes in {jsonMs:F1} ms");
        var hidden = counts.Count(c => c.IsSuppressed);
        Emit($$"""{"bench":"dashboard","applications":{{n}},"entries":{{entries.Count}},"fold_ms":{{F1(foldBest)}},"observe_ns_per_entry":{{F1(observeNs)}},"build_ms":{{F1(buildBest)}},"json_ms":{{F1(jsonMs)}},"json_bytes":{{json.Length}},"counts":{{counts.Count}},"hidden":{{hidden}},"sha256":"{{Hex.Encode(SHA256.HashData(json))}}","peak_mb":{{F1(PeakMegabytes())}}}""");
        return 0;
    }

    /// <summary>The counts of the queue tables: the only ones that can be suppressed (SPEC.md §13.4).</summary>
    private static IEnumerable<Count> AllCounts(Dashboard d)
    {
        static IEnumerable<Count> Tiers(TierCounts t) => t.ByTier.Append(t.Total);
        static IEnumerable<Count> Queue(QueueCounts q) => Tiers(q.WaitingNow).Concat(Tiers(q.WaitingLater)).Concat(Tiers(q.Offered)).Concat(Tiers(q.Enrolled));
        return d.ByKindergarten.SelectMany(r => Queue(r.Counts))
            .Concat(d.ByDistrict.SelectMany(r => Queue(r.Counts)))
            .Concat(d.ByGroup.SelectMany(r => Queue(r.Counts)))
            .Concat(d.Region is null ? [] : Queue(d.Region));
    }

    private static CriteriaDocument LoadCriteria(string? file)
    {
        file ??= FindUpwards(Path.Combine("algorithm-spec", "criteria", "default.json"))
            ?? throw new FormatException("algorithm-spec/criteria/default.json not found above the working directory; pass --criteria FILE.");
        var parsed = CriteriaJson.Parse(File.ReadAllBytes(file));
        if (!parsed.Success)
            throw new FormatException($"{file}: {string.Join("; ", parsed.Problems.Select(p => $"{p.Path} {p.Message}"))}");
        return parsed.Value!;
    }

    private static string? FindUpwards(string relative)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    internal static double PeakMegabytes()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    internal static double Rate(int count, double ms) => ms <= 0 ? 0 : count / (ms / 1000.0);

    internal static string F1(double value) => value.ToString("F1", CultureInfo.InvariantCulture);

    internal static void Emit(string json) => Console.Out.WriteLine(json);

    internal static void Log(string text) => Console.Error.WriteLine(text);

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }

    private sealed class Options
    {
        private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

        public static Options Parse(ReadOnlySpan<string> args)
        {
            var o = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new FormatException($"Unexpected argument '{args[i]}'.");
                var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
                o._values[args[i][2..]] = hasValue ? args[++i] : null;
            }
            return o;
        }

        public string? String(string name) => _values.GetValueOrDefault(name);

        public bool Flag(string name) => _values.ContainsKey(name);

        public int Int(string name, int? fallback = null) =>
            _values.TryGetValue(name, out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : !_values.ContainsKey(name) && fallback is { } f ? f
            : throw new FormatException($"--{name} needs a non-negative whole number.");

        public ulong ULong(string name, ulong fallback) =>
            !_values.TryGetValue(name, out var v) ? fallback
            : ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw new FormatException($"--{name} needs a non-negative whole number.");
    }
}
