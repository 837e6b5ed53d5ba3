using System.Diagnostics;
using System.Diagnostics.Metrics;
using KinderQueue.Api.Commands;
using KinderQueue.Core.Events;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;
using KinderQueue.Storage.Postgres;
using KinderQueue.Storage.Sqlite;
using NodaTime;

namespace KinderQueue.ServiceBenchmarks;

/// <summary>
/// Durable append throughput of the group-commit writer: W tasks each call LiveLog.ExecuteAsync with
/// a SubmitApplication (what POST /applications runs, minus HTTP) in a loop until N events are
/// appended. A warm-up of the same load runs first and is not measured. Every command must be
/// accepted, and the store must hold exactly setup + warm-up + N entries at the end.
/// </summary>
public static class StoreBenchmark
{
    private const string Registrar = "registrar:bench0000000000";
    private const string Operator = "operator:bench0000000001";

    public static async Task<int> RunAsync(Options o)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(o.MaxSeconds));
        var ct = timeout.Token;
        var warmup = o.Warmup ?? Math.Clamp(o.Events / 10, 1_000, 20_000);
        ScratchDatabase? database = null;
        string? folder = null;
        try
        {
            ILogStore store;
            if (o.Backend == "postgres")
            {
                database = await ScratchDatabase.CreateAsync(o.PostgresServer(), ct);
                Console.Error.WriteLine($"store: database {database.Name}");
                store = new PostgresLogStore(database.ConnectionString);
            }
            else
            {
                folder = Directory.CreateTempSubdirectory("kq-bench-store-").FullName;
                Console.Error.WriteLine($"store: sqlite in {folder}");
                store = SqliteLogStore.InFolder(folder);
            }
            await using (store)
            {
                await store.MigrateAsync(ct);
                var log = new LiveLog(store, SystemClock.Instance);
                await using (log)
                {
                    await log.StartAsync(ct);
                    var workload = new Workload(Workload.TodayInRegion());
                    var setup = await SetUpAsync(log, workload, ct);
                    Console.Error.WriteLine($"store: region set up ({setup} entries); warm-up {warmup} events with {o.Writers} writers");

                    using var batches = new BatchCounter();
                    using var spans = o.Trace ? new SpanTimes() : null;
                    var inputs = Enumerable.Range(0, 4096).Select(i => workload.Submission(i)).ToArray();
                    if (warmup > 0) await LoadAsync(log, inputs, o.Writers, warmup, "w", ct);
                    Console.Error.WriteLine($"store: measuring {o.Events} events");
                    var cpu = new CpuMeter(null);
                    var backends = database is null ? null : new BackendCpu(database.Name);
                    batches.Reset();
                    spans?.Reset();
                    var gc = new GcMeter();
                    var started = Stopwatch.GetTimestamp();
                    var latencies = await LoadAsync(log, inputs, o.Writers, o.Events, "m", ct);
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    var (self, _, machine) = cpu.Stop();
                    var memory = gc.Stop();
                    var pgCpu = backends?.Stop() ?? 0;
                    var (batchCount, batchSum) = batches.Read();
                    spans?.Print(Console.Error);

                    var expected = setup + warmup + o.Events;
                    var stored = await store.CountAsync(ct);
                    if (stored != expected) throw new BenchmarkException($"the store holds {stored} entries; expected {expected}");
                    var size = await log.ReadAsync((state, view) => (long?)view.Size, ct);
                    if (size != expected) throw new BenchmarkException($"the live state has {size} entries; expected {expected}");

                    var sorted = Percentiles.Merge(latencies);
                    Console.Error.WriteLine($"store: {o.Events} events in {elapsed.TotalMilliseconds:F0} ms, {batchCount} batches, p50 {Percentiles.Of(sorted, 50):F2} ms; cpu: bench process {self:F2} cores, machine {machine:F2} cores; store verified ({stored} entries)");
                    var line = new ResultLine()
                        .Add("bench", "store").Add("backend", o.Backend).Add("writers", o.Writers).Add("events", o.Events)
                        .Add("ms", (long)Math.Round(elapsed.TotalMilliseconds))
                        .Add("events_per_s", (long)Math.Round(o.Events / elapsed.TotalSeconds))
                        .Add("avg_batch", batchCount == 0 ? 0 : (double)batchSum / batchCount)
                        .Add("p99_ms", Percentiles.Of(sorted, 99))
                        .Add("p50_ms", Percentiles.Of(sorted, 50))
                        .Add("batches", batchCount)
                        .Add("process_cpu_cores", self);
                    if (backends is not null) line.Add("pg_backend_cpu_cores", pgCpu);
                    line.Add("machine_cpu_cores", machine)
                        // Load-independent figures: CPU time and allocation per event, GC work, peak memory.
                        .Add("process_cpu_us_per_event", Math.Round(self * elapsed.TotalSeconds / o.Events * 1e6, 1));
                    if (backends is not null) line.Add("pg_backend_cpu_us_per_event", Math.Round(pgCpu * elapsed.TotalSeconds / o.Events * 1e6, 1));
                    memory.AddTo(line, o.Events);
                    if (database is not null)
                    {
                        // The yardstick, from the same run: the same rows made durable by PostgreSQL alone (RawInsertYardstick).
                        var batch = Math.Max(1, (int)Math.Round(batchCount == 0 ? 1 : (double)batchSum / batchCount));
                        Console.Error.WriteLine($"store: yardstick, the same rows without the service: {o.Events} events in batches of {batch}");
                        var raw = await RawInsertYardstick.RunAsync(database.ConnectionString, batch, warmup, o.Events, ct);
                        line.Add("yardstick_raw_insert_events_per_s", (long)Math.Round(raw))
                            .Add("ratio_yardstick_to_service", Math.Round(raw / (o.Events / elapsed.TotalSeconds), 2));
                    }
                    Console.WriteLine(line.ToJson());
                }
            }
            return 0;
        }
        finally
        {
            if (database is not null) await database.DisposeAsync();
            if (folder is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    /// <summary>Criteria, districts, kindergartens and seats, as the registrar appends them; returns the number of entries.</summary>
    private static async Task<long> SetUpAsync(LiveLog log, Workload w, CancellationToken ct)
    {
        var criteria = w.Criteria();
        var events = new List<LogEvent> { new CriteriaPublished(criteria) };
        events.AddRange(Workload.Districts.Select(d => new DistrictRegistered(d, $"Район {d}")));
        events.AddRange(Workload.Kindergartens.Select(k => new KindergartenRegistered(k.Id, $"Детский сад {k.Id}", k.District, [.. k.Catchment])));
        events.Add(new CapacityLoaded("annual-plan", w.CapacityRows));
        foreach (var e in events)
        {
            var result = await log.ExecuteAsync(new DelegateCommand(Registrar, null, (_, _) => CommandDecision.Append(e, _ => [])), ct);
            if (!result.Accepted) throw new BenchmarkException($"setup {e.Type} refused: {result.Problems[0]}");
        }
        return events.Count;
    }

    /// <summary>W writers take event slots until <paramref name="total"/> are appended; returns each writer's latencies (ms).</summary>
    private static async Task<List<double>[]> LoadAsync(LiveLog log, SubmissionInput[] inputs, int writers, int total, string phase, CancellationToken ct)
    {
        var next = -1;
        var refused = 0;
        string? firstRefusal = null;
        var tasks = Enumerable.Range(0, writers).Select(wi => Task.Run(async () =>
        {
            var latencies = new List<double>(total / writers + 16);
            int slot;
            while ((slot = Interlocked.Increment(ref next)) < total)
            {
                ct.ThrowIfCancellationRequested();
                // What the endpoint does per request: a fresh number, access code and salt, then the command.
                var command = new SubmitApplication(Operator, $"{Operator}|{phase}-{slot}", inputs[slot % inputs.Length],
                    Secrets.NewApplicationNumber(), Secrets.NewAccessCode(), Secrets.NewSalt(), null);
                var started = Stopwatch.GetTimestamp();
                var result = await log.ExecuteAsync(command, ct);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!result.Accepted)
                {
                    Interlocked.Increment(ref refused);
                    Interlocked.CompareExchange(ref firstRefusal, $"{result.Refusal}: {(result.Problems.Count > 0 ? result.Problems[0] : null)}", null);
                }
            }
            return latencies;
        }, ct)).ToArray();
        var all = await Task.WhenAll(tasks);
        if (refused > 0) throw new BenchmarkException($"{refused} of {total} submissions were refused (first: {firstRefusal})");
        return all;
    }

    /// <summary>Allocation and garbage collection of this process during the measured phase, and its peak working set.</summary>
    private sealed class GcMeter
    {
        private readonly long _allocated = GC.GetTotalAllocatedBytes(precise: false);
        private readonly int _gen0 = GC.CollectionCount(0);
        private readonly int _gen2 = GC.CollectionCount(2);
        private readonly TimeSpan _pause = GC.GetTotalPauseDuration();
        private (long Allocated, int Gen0, int Gen2, TimeSpan Pause) _stopped;

        public GcMeter Stop()
        {
            _stopped = (GC.GetTotalAllocatedBytes(precise: false) - _allocated, GC.CollectionCount(0) - _gen0, GC.CollectionCount(2) - _gen2,
                GC.GetTotalPauseDuration() - _pause);
            return this;
        }

        public void AddTo(ResultLine line, int events)
        {
            line.Add("alloc_bytes_per_event", _stopped.Allocated / events)
                .Add("gc_gen0", _stopped.Gen0).Add("gc_gen2", _stopped.Gen2)
                .Add("gc_pause_ms", Math.Round(_stopped.Pause.TotalMilliseconds, 1))
                .Add("peak_working_set_mb", Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024));
        }
    }

    /// <summary>Counts group-commit batches through the writer's own metric (kq.log.batch_size).</summary>
    private sealed class BatchCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;
        private long _sum;

        public BatchCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == LogTelemetry.Name && instrument.Name == "kq.log.batch_size") listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
            {
                Interlocked.Increment(ref _count);
                Interlocked.Add(ref _sum, value);
            });
            _listener.Start();
        }

        public void Reset()
        {
            Interlocked.Exchange(ref _count, 0);
            Interlocked.Exchange(ref _sum, 0);
        }

        public (long Count, long Sum) Read() => (Interlocked.Read(ref _count), Interlocked.Read(ref _sum));

        public void Dispose() => _listener.Dispose();
    }
}
