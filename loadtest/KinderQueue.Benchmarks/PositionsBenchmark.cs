using System.Diagnostics;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;
using static KinderQueue.Benchmarks.Program;

namespace KinderQueue.Benchmarks;

/// <summary>
/// The cost of following the log with <see cref="QueueIndex"/>, as the service does at start
/// (replay) and on every append: time of the fold alone, of the fold plus Observe (the
/// difference is the index), the slowest single Observe, the index's memory, and the rate of
/// parent lookups (positions, history, history as JSON) on one thread.
/// </summary>
internal static class PositionsBenchmark
{
    public static int Run(int applications, ulong seed, string shape, int runs, int lookups, CriteriaDocument criteria)
    {
        if (shape is not ("day" or "year")) throw new FormatException("--shape is day or year.");
        var sw = Stopwatch.StartNew();
        var (log, rejected) = PositionsWorkload.Generate(criteria, applications, seed, shape == "day");
        var types = log.GroupBy(x => x.Event.Type).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count():N0}");
        Log($"generated a {shape} log of {log.Count:N0} entries ({rejected:N0} drafts refused by the fold) in {sw.ElapsedMilliseconds:N0} ms: {string.Join(", ", types)}");

        // Warm-up: JIT and tiering of the fold and the index.
        _ = Replay(log, withIndex: true);

        var foldBest = double.MaxValue;
        for (var run = 0; run < runs; run++)
        {
            Collect();
            sw.Restart();
            _ = Replay(log, withIndex: false);
            foldBest = Math.Min(foldBest, sw.Elapsed.TotalMilliseconds);
        }
        Log($"fold alone: best {foldBest:F1} ms");

        Replayed best = default;
        var bothBest = double.MaxValue;
        for (var run = 0; run < runs; run++)
        {
            Collect();
            var gen2 = GC.CollectionCount(2);
            var pause = GC.GetTotalPauseDuration();
            sw.Restart();
            var r = Replay(log, withIndex: true) with { State = null, Index = null };
            var ms = sw.Elapsed.TotalMilliseconds;
            Log($"run {run + 1}: fold + Observe {ms:F1} ms; Observe alone {r.ObserveMs:F1} ms = {r.ObserveMs * 1000 / log.Count:F2} µs/entry; " +
                $"slowest Observe {r.SlowestMs:F1} ms ({r.SlowestType} at seq {r.SlowestSeq}); GC: gen2 {GC.CollectionCount(2) - gen2}, " +
                $"pause {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F0} ms");
            if (ms < bothBest)
            {
                bothBest = ms;
                best = r;
            }
        }

        // Memory: heap with one folded state, then with one state and one index (nothing else kept).
        Collect();
        var stateOnly = Replay(log, withIndex: false).State;
        var withState = GC.GetTotalMemory(forceFullCollection: true);
        var replayed = Replay(log, withIndex: true);
        GC.KeepAlive(stateOnly);
        stateOnly = null;
        var withIndex = GC.GetTotalMemory(forceFullCollection: true);
        var index = replayed.Index!;
        var state = replayed.State!;
        var indexMb = (withIndex - withState) / (1024.0 * 1024.0);
        var f = index.Footprint();
        Log($"memory: index {indexMb:F1} MB; {f.Applications:N0} applications, {f.Tracks:N0} tracks, {f.Queues:N0} queues, " +
            $"{f.Members:N0} members, {f.Steps:N0} steps in {f.StepWords:N0} words ({f.StepWordsAllocated * 8 / (1024.0 * 1024.0):F1} MB allocated), " +
            $"{(double)f.Steps / Math.Max(1, f.Tracks):F1} steps per track");

        Verify(state, index);

        var numbers = state.Applications.Keys.Order(StringComparer.Ordinal).ToArray();
        var rng = new SplitMix64(seed ^ 0x10_0C_AB);
        var picks = new string[lookups];
        for (var i = 0; i < lookups; i++) picks[i] = numbers[rng.Below(numbers.Length)];
        var positionsRate = Lookups(picks, n => index.PositionsOf(n)!.Positions.Length);
        var historyRate = Lookups(picks, n => index.HistoryOf(n)!.Kindergartens.Length);
        var jsonRate = Lookups(picks, n => PositionHistoryJson.ToCanonicalBytes(index.HistoryOf(n)!).Length);
        var jsonBytes = picks.Take(10_000).Average(n => PositionHistoryJson.ToCanonicalBytes(index.HistoryOf(n)!).Length);
        Log($"lookups on one thread: PositionsOf {positionsRate:N0}/s, HistoryOf {historyRate:N0}/s, HistoryOf + canonical JSON {jsonRate:N0}/s " +
            $"(mean {jsonBytes:N0} bytes)");

        Emit($$"""{"bench":"positions","shape":"{{shape}}","applications":{{applications}},"entries":{{log.Count}},"fold_ms":{{F1(foldBest)}},"fold_observe_ms":{{F1(bothBest)}},"observe_us_per_entry":{{F1(best.ObserveMs * 1000 / log.Count)}},"observe_max_ms":{{F1(best.SlowestMs)}},"index_mb":{{F1(indexMb)}},"steps":{{f.Steps}},"positions_per_s":{{positionsRate:F0}},"history_per_s":{{historyRate:F0}},"history_json_per_s":{{jsonRate:F0}},"peak_mb":{{F1(PeakMegabytes())}}}""");
        return 0;
    }

    private readonly record struct Replayed(QueueState? State, QueueIndex? Index, double ObserveMs, double SlowestMs, string? SlowestType, long SlowestSeq);

    private static Replayed Replay(List<(LogEntry Entry, LogEvent Event)> log, bool withIndex)
    {
        var state = new QueueState();
        var index = withIndex ? new QueueIndex() : null;
        long observeTicks = 0, slowest = 0;
        (string Type, long Seq) slowestEntry = ("", -1);
        foreach (var (entry, e) in log)
        {
            if (state.Apply(entry, e) is { } problem) throw new InvalidOperationException($"Entry {entry.Seq} refused on replay: {problem}");
            if (index is null) continue;
            var t0 = Stopwatch.GetTimestamp();
            index.Observe(entry, e, state);
            var t = Stopwatch.GetTimestamp() - t0;
            observeTicks += t;
            if (t > slowest)
            {
                slowest = t;
                slowestEntry = (e.Type, entry.Seq);
            }
        }
        return new Replayed(state, index, observeTicks * 1000.0 / Stopwatch.Frequency, slowest * 1000.0 / Stopwatch.Frequency, slowestEntry.Type, slowestEntry.Seq);
    }

    /// <summary>The index's positions equal QueuePositions.Compute for every application at the end.</summary>
    private static void Verify(QueueState state, QueueIndex index)
    {
        var sw = Stopwatch.StartNew();
        var asOf = index.AsOf!.Value;
        var kindergartens = state.Kindergartens.Values.Select(k => new KindergartenInfo(k.Id, k.District, k.Catchment)).ToList();
        var waiting = state.Applications.Values.Where(a => a.Status == ApplicationStatus.Waiting).Select(RoundBuilder.ToApplicant).ToList();
        var expected = QueuePositions.Compute(state.CriteriaInForce(asOf)!, asOf, kindergartens, waiting).ToDictionary(p => p.Number, p => p.Positions);
        var computeMs = sw.Elapsed.TotalMilliseconds;
        foreach (var number in state.Applications.Keys)
        {
            var want = expected.GetValueOrDefault(number, []);
            if (!index.PositionsOf(number)!.Positions.SequenceEqual(want))
                throw new InvalidOperationException($"Positions of {number} differ from QueuePositions.Compute.");
        }
        Log($"verify: positions of all {state.Applications.Count:N0} applications equal QueuePositions.Compute on {asOf:uuuu-MM-dd} " +
            $"(which takes {computeMs:F0} ms for all of them, once)");
    }

    private static double Lookups(string[] picks, Func<string, int> lookup)
    {
        var checksum = 0L;
        for (var i = 0; i < Math.Min(picks.Length, 10_000); i++) checksum += lookup(picks[i]);
        var sw = Stopwatch.StartNew();
        foreach (var n in picks) checksum += lookup(n);
        var ms = sw.Elapsed.TotalMilliseconds;
        GC.KeepAlive(checksum);
        return Rate(picks.Length, ms);
    }

    private static void Collect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }
}
