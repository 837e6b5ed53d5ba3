using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using KinderQueue.Storage;
using KinderQueue.Storage.Postgres;
using KinderQueue.Storage.Sqlite;

namespace KinderQueue.ServiceBenchmarks;

/// <summary>
/// Restart after a crash on a large log (issue 16): the store is filled directly with N entries (as the
/// export benchmark does), the real service started and made ready once, then killed with SIGKILL and
/// started again, R times; each run is timed from the new process's start to its first 200 on /readyz
/// (database up, chain folded and checked, public tree and projection current). Its yardstick, from the
/// same run: reading the same entries from the store alone, and SHA-256 of their bytes — what any restart
/// that still checks the chain must at least do if it replays the log.
/// </summary>
public static class RestartBenchmark
{
    public static async Task<int> RunAsync(Options o)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(o.MaxSeconds));
        var ct = timeout.Token;
        var dll = HttpBenchmark.ApiDll(o);
        var dataDir = Directory.CreateTempSubdirectory("kq-bench-restart-").FullName;
        ScratchDatabase? database = null;
        Process? service = null;
        try
        {
            ILogStore Open() => database is not null ? new PostgresLogStore(database.ConnectionString) : SqliteLogStore.InFolder(dataDir);
            if (o.Backend == "postgres")
            {
                database = await ScratchDatabase.CreateAsync(o.PostgresServer(), ct);
                Console.Error.WriteLine($"restart: database {database.Name}");
            }
            else Console.Error.WriteLine($"restart: sqlite in {dataDir}");

            var fillStarted = Stopwatch.GetTimestamp();
            ExportBenchmark.Filled filled;
            await using (var store = Open())
            {
                await store.MigrateAsync(ct);
                filled = await ExportBenchmark.FillAsync(store, o.Entries, new Workload(Workload.TodayInRegion()), ct);
            }
            Console.Error.WriteLine($"restart: filled {filled.Size:N0} entries in {Stopwatch.GetElapsedTime(fillStarted).TotalSeconds:F1} s");

            var port = HttpBenchmark.FreePort();
            using var handler = new SocketsHttpHandler { UseProxy = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            var limit = TimeSpan.FromSeconds(o.MaxSeconds);

            // The first start (a cold page cache for the binaries and the database) is reported but not counted.
            var runs = new List<(double Ms, long PeakMb)>();
            for (var run = 0; run <= o.Runs; run++)
            {
                var started = Stopwatch.GetTimestamp();
                service = HttpBenchmark.StartService(dll, port, dataDir, database?.ConnectionString);
                var start = await WaitReadyAsync(client, service, started, limit, ct);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var size = await HttpBenchmark.LogSizeAsync(client, ct);
                if (size != filled.Size) throw new BenchmarkException($"ready with a log of {size} entries; {filled.Size} were stored");
                var peakMb = PeakResidentMegabytes(service.Id);
                Console.Error.WriteLine($"restart: run {run}{(run == 0 ? " (first start, not counted)" : " after kill -9")}: ready in {ms:F0} ms, peak resident {peakMb} MB; {start}");
                if (run > 0) runs.Add((ms, peakMb));
                Kill(service);
                await service.WaitForExitAsync(ct);
                service.Dispose();
                service = null;
            }

            // Yardstick: the store's sequential read of every entry, and SHA-256 over the entries' bytes.
            var readStarted = Stopwatch.GetTimestamp();
            long count = 0, bytes = 0;
            var hashMs = 0.0;
            await using (var store = Open())
            {
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                await foreach (var e in store.ReadAsync(0, filled.Size, ct))
                {
                    count++;
                    var t = Stopwatch.GetTimestamp();
                    var line = e.ToLogEntry().ToBytes();
                    sha.AppendData(line);
                    hashMs += Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                    bytes += line.Length;
                }
            }
            var readMs = Stopwatch.GetElapsedTime(readStarted).TotalMilliseconds;
            if (count != filled.Size) throw new BenchmarkException($"read {count} entries back; {filled.Size} were stored");

            var best = runs.Min(r => r.Ms);
            var median = runs.Select(r => r.Ms).Order().ElementAt(runs.Count / 2);
            var peak = runs.Max(r => r.PeakMb);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"restart: {o.Backend}, {filled.Size:N0} entries ({bytes / 1_000_000.0:F0} MB of entry bytes): ready after kill -9 in {best:F0} ms best, {median:F0} ms median of {runs.Count}; " +
                $"yardstick: read every entry from the store and SHA-256 its bytes {readMs:F0} ms (encoding + hashing {hashMs:F0} ms); ratio {best / readMs:F1}; peak resident {peak} MB"));
            Console.WriteLine(new ResultLine()
                .Add("bench", "restart").Add("backend", o.Backend).Add("entries", filled.Size).Add("runs", runs.Count)
                .Add("ready_ms_best", (long)Math.Round(best)).Add("ready_ms_median", (long)Math.Round(median))
                .Add("yardstick_read_ms", (long)Math.Round(readMs)).Add("ratio", Math.Round(best / readMs, 2))
                .Add("peak_resident_mb", peak)
                .ToJson());
            return 0;
        }
        finally
        {
            await HttpBenchmark.CleanUpAsync(service, database, dataDir);
        }
    }

    /// <summary>
    /// Polls /readyz until 200; the first answer of any kind is "listening". Past <paramref name="limit"/>
    /// (--max-seconds) a clear failure naming the last answer, not a cancelled request.
    /// </summary>
    private static async Task<StartBreakdown> WaitReadyAsync(HttpClient client, Process service, long started, TimeSpan limit, CancellationToken ct)
    {
        double? listening = null;
        var last = "no answer yet";
        var silent = 0;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(limit - Stopwatch.GetElapsedTime(started));
        try
        {
            while (true)
            {
                if (service.HasExited) throw new BenchmarkException($"the service exited with code {service.ExitCode} during start (last /readyz: {last})");
                try
                {
                    var asked = Stopwatch.GetTimestamp();
                    using var response = await client.GetAsync("/readyz", deadline.Token);
                    listening ??= Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    var body = await response.Content.ReadAsStringAsync(deadline.Token);
                    last = $"{(int)response.StatusCode} after {Stopwatch.GetElapsedTime(asked).TotalMilliseconds:F0} ms: {body}";
                    if (response.StatusCode == HttpStatusCode.OK) return StartBreakdown.From(listening.Value, body);
                }
                catch (HttpRequestException)
                {
                    // Not listening yet (or no longer, if it exited: checked above).
                }
                catch (TaskCanceledException) when (!deadline.IsCancellationRequested)
                {
                    // The client's own timeout: counted, since a probe that gets no answer restarts a pod.
                    silent++;
                    Console.Error.WriteLine($"restart: /readyz did not answer within {client.Timeout.TotalSeconds:F0} s ({Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s after start)");
                }
                await Task.Delay(100, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // Either this run's limit or the whole benchmark's (both --max-seconds) ran out.
            throw new BenchmarkException($"not ready within --max-seconds {limit.TotalSeconds:F0} s (listening after " +
                $"{(listening is { } l ? $"{l:F0} ms" : "never")}; {silent} unanswered probes; last /readyz: {last})");
        }
    }

    /// <summary>Where the start's time went: from the process's start to its first HTTP answer, and the service's own /readyz figures.</summary>
    private sealed record StartBreakdown(double ListeningMs, long? LogFoldedMs, long? ServingMs, long? ProjectionCurrentMs)
    {
        public static StartBreakdown From(double listening, string readyBody)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(readyBody);
            long? Ms(string name) => doc.RootElement.TryGetProperty("startup", out var s) && s.TryGetProperty(name, out var v) &&
                v.ValueKind == System.Text.Json.JsonValueKind.Number ? v.GetInt64() : null;
            return new StartBreakdown(listening, Ms("logFoldedMs"), Ms("servingMs"), Ms("publicProjectionCurrentMs"));
        }

        private static string Show(long? ms) => ms is { } v ? $"{v:N0} ms" : "not reported";

        public override string ToString() =>
            $"first answer (listening) {ListeningMs:N0} ms; the service's own clock: log folded {Show(LogFoldedMs)}, serving {Show(ServingMs)}, " +
            $"public projection current {Show(ProjectionCurrentMs)}";
    }

    private static void Kill(Process service)
    {
        using var kill = Process.Start("kill", ["-KILL", service.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>VmHWM of the process: the most resident memory it has used since it started.</summary>
    private static long PeakResidentMegabytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
            var kb = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return kb / 1024;
        }
        return -1;
    }
}
