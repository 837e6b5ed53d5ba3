using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using KinderQueue.Cli;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using static KinderQueue.Benchmarks.Program;

namespace KinderQueue.Benchmarks;

/// <summary>
/// <c>kq verify</c> on a log file of N entries (1,000,000 by default) against its floor, SHA-256 of
/// the same lines on every core. The file is a real region's year (<see cref="PositionsWorkload"/>,
/// shape "year": submissions, reviews, changes, withdrawals, monthly rounds, answers, expiries,
/// enrolments) cut at N entries, written once and cached under /tmp. Prints one JSON line with the
/// best of <c>runs</c> for both and their ratio; stderr has a breakdown of the sequential work
/// (decode, fold, rounds) measured separately on one thread.
/// </summary>
internal static class VerifyBenchmark
{
    /// <param name="breakdown">False: only the floor and kq verify (the in-memory runs and the parts on one thread take longer than both).</param>
    /// <param name="digest">Also print the SHA-256 of the signals document the verifier recomputes (the JSON report shows only its count), to compare before and after a change.</param>
    public static int Run(int entries, ulong seed, int runs, string? file, CriteriaDocument criteria, bool breakdown = true, bool digest = false)
    {
        file ??= Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"kq-verify-{entries}-{seed}.ndjson"));
        if (!File.Exists(file)) Generate(file, entries, seed, criteria);
        var bytes = File.ReadAllBytes(file);
        var lines = Split(bytes);
        Log($"{file}: {lines.Count:N0} lines, {bytes.Length:N0} bytes (mean {bytes.Length / Math.Max(1, lines.Count)} per line)");

        // (a) The floor: SHA-256(0x00 ‖ line) of every line, split across the cores as the verifier splits its reading.
        var floor = double.MaxValue;
        for (var run = 0; run < runs + 1; run++)
        {
            var sw = Stopwatch.StartNew();
            HashAll(bytes, lines);
            if (run > 0) floor = Math.Min(floor, sw.Elapsed.TotalMilliseconds); // run 0 warms up
        }
        Log($"floor: SHA-256 of {lines.Count:N0} lines on {Environment.ProcessorCount} cores: best {floor:F0} ms = {Rate(lines.Count, floor):N0} hashes/s");

        // (b) The whole of `kq verify FILE`, in process: read, hash, chain, tree, parse, decode, fold, rounds, statistics.
        var verify = double.MaxValue;
        long verifyAllocated = 0;
        double verifyCpu = 0;
        // The peak of kq verify itself, before the in-memory runs below add their own.
        double verifyPeak = 0;
        for (var run = 0; run < runs + 1; run++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            using var stdout = new StringWriter(CultureInfo.InvariantCulture);
            using var stderr = new StringWriter(CultureInfo.InvariantCulture);
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var collections = GC.CollectionCount(0);
            var paused = GC.GetTotalPauseDuration();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var code = CliApp.RunAsync(["verify", file, "--no-progress", "--json"], stdout, stderr).GetAwaiter().GetResult();
            var ms = sw.Elapsed.TotalMilliseconds;
            if (code != 0) throw new InvalidOperationException($"kq verify exited {code}: {stdout}{stderr}");
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            // CPU time of every thread: on this shared machine less dependent on the load than the wall time.
            var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
            Log($"kq verify run {run}{(run == 0 ? " (cold)" : "")}: {ms:F0} ms, CPU {cpuMs:F0} ms, allocated {allocated / 1e6:F0} MB, " +
                $"{GC.CollectionCount(0) - collections} GCs (gen2 {GC.CollectionCount(2)} so far), paused {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F0} ms");
            if (run == 0) Log($"report: {stdout.ToString().Trim()}");
            else
            {
                if (ms < verify) verifyCpu = cpuMs;
                verify = Math.Min(verify, ms);
                verifyAllocated = allocated;
            }
        }

        verifyPeak = PeakMegabytes();
        // The verifier alone on lines already in memory, on one thread and on all cores.
        foreach (var parallelism in breakdown ? new[] { 1, Environment.ProcessorCount } : [])
        {
            var best = double.MaxValue;
            for (var run = 0; run < Math.Max(1, runs); run++)
            {
                var sw = Stopwatch.StartNew();
                using var v = new KinderQueue.Core.Verification.LogVerifier(new KinderQueue.Core.Verification.VerifierSettings { Parallelism = parallelism });
                const int Batch = 10_000;
                for (var i = 0; i < lines.Count; i += Batch)
                    v.Add([.. lines.Skip(i).Take(Batch).Select(l => (ReadOnlyMemory<byte>)bytes.AsMemory(l.Start, l.Length))]);
                v.EndOfLog();
                if (!v.Complete().Intact) throw new InvalidOperationException("not intact");
                best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
            }
            Log($"LogVerifier in memory, parallelism {parallelism}: best {best:F0} ms");
        }
        if (breakdown) Breakdown(lines, bytes);
        if (digest) Digest(lines, bytes);
        var ratio = verify / floor;
        Log($"verify {verify:F0} ms = {ratio:F1} × the SHA-256 floor ({floor:F0} ms); goal 2,000 ms");
        Emit(string.Create(CultureInfo.InvariantCulture,
            $$"""{"bench":"verify","entries":{{lines.Count}},"bytes":{{bytes.Length}},"floor_ms":{{F1(floor)}},"verify_ms":{{F1(verify)}},"verify_cpu_ms":{{F1(verifyCpu)}},"ratio":{{ratio:F2}},"allocated_mb":{{F1(verifyAllocated / 1e6)}},"verify_peak_mb":{{F1(verifyPeak)}},"peak_mb":{{F1(PeakMegabytes())}}}"""));
        return 0;
    }

    private static void Generate(string file, int entries, ulong seed, CriteriaDocument criteria)
    {
        var sw = Stopwatch.StartNew();
        // About 2.06 entries per application in the year shape; a little more, then cut.
        var (log, rejected) = PositionsWorkload.Generate(criteria, (int)(entries / 2.0), seed, oneDay: false);
        if (log.Count < entries) throw new InvalidOperationException($"The workload gave only {log.Count:N0} entries ({rejected:N0} events the fold refused).");
        var types = log.Take(entries).GroupBy(x => x.Event.Type).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count():N0}");
        using (var output = new BufferedStream(File.Create(file + ".tmp"), 1 << 20))
        {
            foreach (var (entry, _) in log.Take(entries))
            {
                output.Write(entry.ToBytes());
                output.WriteByte((byte)'\n');
            }
        }
        File.Move(file + ".tmp", file, overwrite: true);
        Log($"generated {entries:N0} entries in {sw.ElapsedMilliseconds:N0} ms: {string.Join(", ", types)}");
    }

    private static void Digest(List<(int Start, int Length)> lines, byte[] bytes)
    {
        using var v = new KinderQueue.Core.Verification.LogVerifier(new KinderQueue.Core.Verification.VerifierSettings { Parallelism = Environment.ProcessorCount });
        const int Batch = 10_000;
        for (var i = 0; i < lines.Count; i += Batch)
            v.Add([.. lines.Skip(i).Take(Batch).Select(l => (ReadOnlyMemory<byte>)bytes.AsMemory(l.Start, l.Length))]);
        v.EndOfLog();
        var report = v.Complete();
        var signals = KinderQueue.Core.Signals.SignalsJson.Write(report.Signals!);
        Log($"digest: signals document {signals.Length:N0} bytes, {report.Signals!.Signals.Length} signals, SHA-256 {Convert.ToHexStringLower(SHA256.HashData(signals))}");
    }

    private static List<(int Start, int Length)> Split(byte[] bytes)
    {
        var lines = new List<(int, int)>();
        var start = 0;
        while (start < bytes.Length)
        {
            var nl = Array.IndexOf(bytes, (byte)'\n', start);
            lines.Add((start, nl - start));
            start = nl + 1;
        }
        return lines;
    }

    private static void HashAll(byte[] bytes, List<(int Start, int Length)> lines)
    {
        var parts = Environment.ProcessorCount;
        Parallel.For(0, parts, part =>
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            Span<byte> hash = stackalloc byte[32];
            ReadOnlySpan<byte> prefix = [0];
            for (var i = lines.Count * part / parts; i < lines.Count * (part + 1) / parts; i++)
            {
                sha.AppendData(prefix);
                sha.AppendData(bytes.AsSpan(lines[i].Start, lines[i].Length));
                sha.GetHashAndReset(hash);
            }
        });
    }

    /// <summary>The parts on their own, one thread: reading lines (split, re-encode, hash), decoding payloads, the fold, the statistics recorder, the rounds.</summary>
    private static void Breakdown(List<(int Start, int Length)> lines, byte[] bytes)
    {
        var sw = Stopwatch.StartNew();
        using (var reader = new KinderQueue.Core.Verification.EntryLineReader())
        {
            var read = default(KinderQueue.Core.Verification.ReadLine);
            var hash = new byte[32];
            var prev = new byte[32];
            foreach (var (start, length) in lines) reader.Read(bytes.AsMemory(start, length), ref read, hash, prev);
        }
        var reading = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var parsed = new List<(LogEntry Entry, LogEvent Event)>(lines.Count);
        foreach (var (start, length) in lines)
        {
            var entry = LogEntry.Parse(bytes.AsMemory(start, length)).GetValueOrThrow();
            parsed.Add((entry, null!));
        }
        var parse = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        for (var i = 0; i < parsed.Count; i++) parsed[i] = (parsed[i].Entry, EventCodec.Decode(parsed[i].Entry.Type, parsed[i].Entry.Payload).GetValueOrThrow());
        var decode = sw.Elapsed.TotalMilliseconds;
        var state = new QueueState();
        var recorder = new KinderQueue.Core.Public.DashboardRecorder();
        double fold = 0, rounds = 0, decide = 0, observe = 0;
        var decisions = 0;
        foreach (var (entry, e) in parsed)
        {
            if (e is AllocationDecided d)
            {
                sw.Restart();
                _ = Rounds.Decide(state, d.Round, d.Date, d.StartDate).GetValueOrThrow();
                rounds += sw.Elapsed.TotalMilliseconds;
                sw.Restart();
                _ = KinderQueue.Core.Allocation.Allocator.Decide(RoundBuilder.Build(state, d.Date, d.StartDate).GetValueOrThrow(), d.Round, d.Basis);
                decide += sw.Elapsed.TotalMilliseconds;
                decisions++;
            }
            sw.Restart();
            if (state.Apply(entry, e) is { } p) throw new InvalidOperationException(p.ToString());
            fold += sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            recorder.Observe(entry, e, state);
            observe += sw.Elapsed.TotalMilliseconds;
        }
        Log($"breakdown on one thread: verifier's line reader (split, re-encode, hash, decode) {reading:F0} ms; reference LogEntry.Parse {parse:F0} ms; " +
            $"EventCodec.Decode {decode:F0} ms; fold {fold:F0} ms; statistics recorder {observe:F0} ms; {decisions} rounds recomputed {rounds:F0} ms " +
            $"with Rounds.Decide, {decide:F0} ms as the verifier does (RoundBuilder.Build + Allocator.Decide, no explanations)");
    }
}
