using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace KinderQueue.ServiceBenchmarks;

/// <summary>
/// A parent's position lookup against the real service, measured next to the service's most trivial
/// JSON endpoint (GET /healthz) on the same process, machine and client (a lean raw-socket HTTP/1.1
/// client, <see cref="RawHttpLoad"/>), in alternating phases:
/// trivial, lookup, trivial, lookup. The region is set up through the API, applications are submitted
/// (their access codes kept), a round is decided, and more applications follow, so lookups return
/// real histories (new applications ahead, children placed) and projections. Every lookup answer
/// must be 200 and name the application asked for. The rate limit stays on, with a per-client budget
/// raised above what 64 connections from one address make (the client is one address).
/// </summary>
public static class LookupBenchmark
{
    private const int ApplicationsBefore = 3000;
    private const int ApplicationsAfter = 1000;

    public static async Task<int> RunAsync(Options o)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(4 * (o.Seconds + o.WarmupSeconds) + 300));
        var ct = timeout.Token;
        var dll = HttpBenchmark.ApiDll(o);

        var dataDir = Directory.CreateTempSubdirectory("kq-bench-lookup-").FullName;
        ScratchDatabase? database = null;
        Process? service = null;
        try
        {
            if (o.Backend == "postgres") database = await ScratchDatabase.CreateAsync(o.PostgresServer(), ct);
            var registrar = HttpBenchmark.MintToken(dataDir, "registrar", "bench-registrar");
            var operatorToken = HttpBenchmark.MintToken(dataDir, "operator", "bench-operator");
            var allocator = HttpBenchmark.MintToken(dataDir, "allocator", "bench-allocator");
            var port = HttpBenchmark.FreePort();
            service = HttpBenchmark.StartService(dll, port, dataDir, database?.ConnectionString,
                [("KinderQueue__LookupsPerMinute", "1000000000")]);
            Console.Error.WriteLine($"lookup: service pid {service.Id} on 127.0.0.1:{port} ({o.Backend}), log in {dataDir}/service.log");

            using var handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = o.Connections,
                UseProxy = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.None,
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            await HttpBenchmark.WaitReadyAsync(client, service, ct);

            var workload = new Workload(Workload.TodayInRegion());
            await HttpBenchmark.SetUpAsync(client, registrar, workload, ct);
            var operatorAuth = new AuthenticationHeaderValue("Bearer", operatorToken);
            var codes = new List<(string Number, string Code)>();
            codes.AddRange(await SubmitAsync(client, operatorAuth, workload, 0, ApplicationsBefore, ct));
            await DecideRoundAsync(client, new AuthenticationHeaderValue("Bearer", allocator), workload, ct);
            codes.AddRange(await SubmitAsync(client, operatorAuth, workload, ApplicationsBefore, ApplicationsAfter, ct));
            var size = await HttpBenchmark.LogSizeAsync(client, ct);
            Console.Error.WriteLine($"lookup: {codes.Count} applications and a round; log size {size}");
            // A 200 must be about the application asked for: a wrong answer is not a fast one.
            var lookupRequests = codes.Select(c => RawHttpLoad.PostJson("/api/v1/public/positions",
                Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { number = c.Number, accessCode = c.Code })), c.Number)).ToArray();
            var trivialRequest = RawHttpLoad.Get("/healthz", "alive");
            RawHttpLoad.Request Trivial(int i) => trivialRequest;
            RawHttpLoad.Request Lookup(int i) => lookupRequests[i % lookupRequests.Length];
            await WaitForProjectionAsync(client, size, ct);

            if (o.WarmupSeconds > 0)
            {
                Console.Error.WriteLine($"lookup: warm-up {o.WarmupSeconds} s of each");
                await RawHttpLoad.RunAsync(port, o.Connections, TimeSpan.FromSeconds(o.WarmupSeconds), Trivial, ct);
                await RawHttpLoad.RunAsync(port, o.Connections, TimeSpan.FromSeconds(o.WarmupSeconds), Lookup, ct);
            }
            var trivial = new List<RawHttpLoad.Phase>();
            var lookups = new List<RawHttpLoad.Phase>();
            for (var round = 0; round < 2; round++)
            {
                trivial.Add(await RawHttpLoad.RunAsync(port, o.Connections, TimeSpan.FromSeconds(o.Seconds), Trivial, ct));
                lookups.Add(await RawHttpLoad.RunAsync(port, o.Connections, TimeSpan.FromSeconds(o.Seconds), Lookup, ct));
                Console.Error.WriteLine($"lookup: round {round + 1}: trivial {trivial[^1].Rps:F0} req/s, lookup {lookups[^1].Rps:F0} req/s");
            }
            foreach (var e in lookups.Concat(trivial).SelectMany(p => p.FirstErrors).Take(5)) Console.Error.WriteLine($"lookup: error: {e}");

            double Rps(List<RawHttpLoad.Phase> phases) => phases.Sum(p => p.Ok) / phases.Sum(p => p.Elapsed.TotalSeconds);
            var lookupLatencies = Percentiles.Merge(lookups.SelectMany(p => p.Latencies));
            var trivialLatencies = Percentiles.Merge(trivial.SelectMany(p => p.Latencies));
            var errors = lookups.Concat(trivial).Sum(p => p.Errors);
            var ratio = Rps(lookups) / Rps(trivial);
            Console.WriteLine(new ResultLine()
                .Add("bench", "lookup").Add("backend", o.Backend).Add("connections", o.Connections).Add("seconds", o.Seconds)
                .Add("applications", codes.Count).Add("log_size", size)
                .Add("trivial_rps", (long)Math.Round(Rps(trivial)))
                .Add("trivial_p99_ms", Percentiles.Of(trivialLatencies, 99))
                .Add("lookup_rps", (long)Math.Round(Rps(lookups)))
                .Add("lookup_p50_ms", Percentiles.Of(lookupLatencies, 50))
                .Add("lookup_p99_ms", Percentiles.Of(lookupLatencies, 99))
                .Add("ratio", Math.Round(ratio, 3))
                .Add("errors", errors)
                .ToJson());
            return errors == 0 ? 0 : 1;
        }
        finally
        {
            if (service is not null) await HttpBenchmark.StopServiceAsync(service);
            if (database is not null) await database.DisposeAsync();
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Submits applications i0..i0+count-1 of the workload, 32 at a time; returns their numbers and access codes.</summary>
    private static async Task<List<(string Number, string Code)>> SubmitAsync(HttpClient client, AuthenticationHeaderValue auth, Workload w, int i0, int count,
        CancellationToken ct)
    {
        var result = new (string, string)[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            int k;
            while ((k = Interlocked.Increment(ref next)) < count)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/applications") { Content = new ByteArrayContent(w.SubmissionBody(i0 + k)) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = auth;
                request.Headers.TryAddWithoutValidation("Idempotency-Key", $"lookup-bench-{i0 + k}");
                using var response = await client.SendAsync(request, ct);
                var body = await response.Content.ReadAsByteArrayAsync(ct);
                if (response.StatusCode != HttpStatusCode.Created) throw new BenchmarkException($"submission: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
                using var doc = JsonDocument.Parse(body);
                result[k] = (doc.RootElement.GetProperty("number").GetString()!, doc.RootElement.GetProperty("accessCode").GetString()!);
            }
        }, ct)));
        return [.. result];
    }

    private static async Task DecideRoundAsync(HttpClient client, AuthenticationHeaderValue auth, Workload w, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/rounds")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { id = "lookup-bench-round", startDate = KinderQueue.Core.Encoding.Formats.Format(w.Today.PlusDays(30)), dryRun = false }),
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = auth;
        using var response = await client.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new BenchmarkException($"round: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
    }

    /// <summary>
    /// The public projection follows the log a moment later: wait (on /readyz, not with lookups, which
    /// would spend the failed-lookup budget) until it has folded the whole log.
    /// </summary>
    private static async Task WaitForProjectionAsync(HttpClient client, long size, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(60))
        {
            using var response = await client.GetAsync("/readyz", ct);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
            if (doc.RootElement.TryGetProperty("publicLogSize", out var p) && p.GetInt64() >= size) return;
            await Task.Delay(100, ct);
        }
        throw new BenchmarkException("the public projection did not catch up within 60 s");
    }
}
