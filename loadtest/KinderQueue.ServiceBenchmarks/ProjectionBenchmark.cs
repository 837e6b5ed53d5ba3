using System.Diagnostics;
using System.Globalization;
using KinderQueue.Api.Public;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Public;
using KinderQueue.Core.State;
using KinderQueue.Storage.Sqlite;
using NodaTime;

namespace KinderQueue.ServiceBenchmarks;

/// <summary>
/// Where a restart's fold goes, in process and without HTTP (issue 16): the restart benchmark's store
/// (SQLite, the export benchmark's entries), then the writer's fold (read, link, hash, state, tree) and
/// the public model's fold timed part by part (movement, state, queue index, dashboard recorder, signal
/// ledger), and the first public snapshot. What /readyz waits for, split so a profile is not needed to
/// see which part bounds it.
/// </summary>
public static class ProjectionBenchmark
{
    public static async Task<int> RunAsync(Options o)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(o.MaxSeconds));
        var ct = timeout.Token;
        var dataDir = Directory.CreateTempSubdirectory("kq-bench-projection-").FullName;
        try
        {
            await using var store = SqliteLogStore.InFolder(dataDir);
            await store.MigrateAsync(ct);
            var filled = await ExportBenchmark.FillAsync(store, o.Entries, new Workload(Workload.TodayInRegion()), ct);
            Console.Error.WriteLine($"projection: filled {filled.Size:N0} entries");

            var allocated = GC.GetTotalAllocatedBytes();
            var gcs = GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2);
            var pause = GC.GetTotalPauseDuration();

            var t = Stopwatch.GetTimestamp();
            var entries = new List<(LogEntry Entry, LogEvent Event)>((int)filled.Size);
            var chain = new LogChain();
            var writerState = new QueueState();
            var tree = new MerkleAccumulator();
            double readMs = 0, writerMs = 0;
            await foreach (var stored in store.ReadAsync(0, filled.Size, ct))
            {
                var entry = stored.ToLogEntry();
                var decoded = EventCodec.Decode(entry.Type, entry.Payload);
                if (!decoded.Success) throw new BenchmarkException($"entry {entry.Seq}: {decoded.Problems[0]}");
                entries.Add((entry, decoded.Value!));
                var w = Stopwatch.GetTimestamp();
                if (writerState.Apply(entry, decoded.Value!) is { } problem) throw new BenchmarkException($"entry {entry.Seq}: {problem}");
                var (_, _, hash) = chain.Append(entry.At, entry.Actor, entry.Type, entry.Payload.ToArray());
                tree.Append(hash);
                writerMs += Stopwatch.GetElapsedTime(w).TotalMilliseconds;
            }
            readMs = Stopwatch.GetElapsedTime(t).TotalMilliseconds - writerMs;

            var model = new PublicModel();
            double movement = 0, state = 0, queues = 0, statistics = 0, signals = 0;
            var slowest = new Dictionary<string, (double Ms, long Seq)>();
            foreach (var (entry, e) in entries)
            {
                var a = Stopwatch.GetTimestamp();
                model.Movement.Before(entry, e, model.State);
                var b = Stopwatch.GetTimestamp();
                if (model.State.Apply(entry, e) is { } problem) throw new BenchmarkException($"entry {entry.Seq}: {problem}");
                var c = Stopwatch.GetTimestamp();
                long d = c, f = c, g = c;
                if (model.State.LastEffect is { } effect)
                {
                    model.Queues.Observe(entry, effect, model.State);
                    d = Stopwatch.GetTimestamp();
                    model.Statistics.Observe(entry, effect, model.State);
                    f = Stopwatch.GetTimestamp();
                    model.Signals.Observe(entry, effect, model.State);
                    g = Stopwatch.GetTimestamp();
                }
                movement += Ms(a, b);
                state += Ms(b, c);
                queues += Ms(c, d);
                statistics += Ms(d, f);
                signals += Ms(f, g);
                Slowest("queues " + e.Type, Ms(c, d), entry.Seq);
                Slowest("signals " + e.Type, Ms(f, g), entry.Seq);
            }
            var s = Stopwatch.GetTimestamp();
            var today = model.State.LocalDate(SystemClock.Instance.GetCurrentInstant());
            var snapshot = PublicSnapshot.Build(model, today);
            var snapshotMs = Stopwatch.GetElapsedTime(s).TotalMilliseconds;

            var allocatedMb = (GC.GetTotalAllocatedBytes() - allocated) / 1_000_000.0;
            var gcCount = GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2) - gcs;
            var pauseMs = (GC.GetTotalPauseDuration() - pause).TotalMilliseconds;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"projection: {filled.Size:N0} entries: read+decode {readMs:F0} ms, writer fold (state+chain+tree) {writerMs:F0} ms; public model: movement {movement:F0} ms, " +
                $"state {state:F0} ms, queue index {queues:F0} ms, dashboard recorder {statistics:F0} ms, signal ledger {signals:F0} ms; first snapshot {snapshotMs:F0} ms " +
                $"({snapshot.Size} entries); allocated {allocatedMb:F0} MB, {gcCount} GCs, pauses {pauseMs:F0} ms; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1_000_000} MB"));
            var footprint = model.Queues.Footprint();
            Console.Error.WriteLine($"projection: queue index {footprint}");
            foreach (var (what, (ms, seq)) in slowest.OrderByDescending(kv => kv.Value.Ms).Take(6))
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"projection: slowest {what}: {ms:F2} ms at entry {seq}"));
            Console.WriteLine(new ResultLine()
                .Add("bench", "projection").Add("entries", filled.Size)
                .Add("read_ms", (long)readMs).Add("writer_fold_ms", (long)writerMs)
                .Add("movement_ms", (long)movement).Add("state_ms", (long)state).Add("queues_ms", (long)queues)
                .Add("statistics_ms", (long)statistics).Add("signals_ms", (long)signals).Add("snapshot_ms", (long)snapshotMs)
                .Add("allocated_mb", (long)allocatedMb).Add("gc_count", gcCount).Add("gc_pause_ms", (long)pauseMs)
                .ToJson());
            return 0;

            void Slowest(string what, double ms, long seq)
            {
                if (!slowest.TryGetValue(what, out var was) || ms > was.Ms) slowest[what] = (ms, seq);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}
