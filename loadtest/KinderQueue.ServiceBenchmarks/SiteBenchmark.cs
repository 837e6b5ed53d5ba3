using System.Net;
using System.Net.Http.Headers;

namespace KinderQueue.ServiceBenchmarks;

/// <summary>
/// Launch day on the public site: parents opening the dashboard for the first time, against the real
/// service filled with the demo region (10,000 applications, 100 kindergartens), measured next to the
/// trivial GET /healthz of the same process in alternating phases, as <see cref="LookupBenchmark"/>
/// does. A visit is what a browser fetches for the dashboard without a cache: the page, the style
/// sheet, the icon, three scripts and the dashboard JSON, each asking for Brotli or gzip as browsers
/// do. Every answer must be 200; the page and the scripts must come compressed (their bodies are
/// then not readable for a content check, so the encoding header is the check).
/// </summary>
public static class SiteBenchmark
{
    private const string AcceptEncoding = "Accept-Encoding: br, gzip\r\n";

    private static readonly string[] Visit =
    [
        "/", "/assets/site.css", "/assets/favicon.svg", "/assets/common.js", "/assets/charts.js", "/assets/dashboard.js", "/api/v1/public/dashboard",
    ];

    public static async Task<int> RunAsync(Options o)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(4 * (o.Seconds + o.WarmupSeconds) + 180));
        var ct = timeout.Token;
        var dll = HttpBenchmark.ApiDll(o);
        var dataDir = Directory.CreateTempSubdirectory("kq-bench-site-").FullName;
        System.Diagnostics.Process? service = null;
        try
        {
            var port = HttpBenchmark.FreePort();
            service = HttpBenchmark.StartService(dll, port, dataDir, postgres: null, demo: true);
            Console.Error.WriteLine($"site: service pid {service.Id} on 127.0.0.1:{port} with --demo, log in {dataDir}/service.log");
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            await HttpBenchmark.WaitReadyAsync(client, service, ct);
            var size = await WaitForDemoAsync(client, dataDir, ct);
            var (plainBytes, sentBytes) = await VisitWeightAsync(client, ct);
            Console.Error.WriteLine($"site: demo region of {size} entries; a first visit is {sentBytes:N0} bytes compressed ({plainBytes:N0} plain)");

            var visitRequests = Visit.Select(path => RawHttpLoad.Get(path, null, AcceptEncoding)).ToArray();
            var trivialRequest = RawHttpLoad.Get("/healthz", "alive");
            RawHttpLoad.Request Trivial(int i) => trivialRequest;
            RawHttpLoad.Request Site(int i) => visitRequests[i % visitRequests.Length];

            if (o.WarmupSeconds > 0)
            {
                Console.Error.WriteLine($"site: warm-up {o.WarmupSeconds} s of each");
                await RawHttpLoad.RunAsync(port, o.Connections, TimeSpan.FromSeconds(o.WarmupSeconds), Trivial, ct);
                await RawHttpLoad.RunAsync(port, o.Connections, TimeSpan.FromSeconds(o.WarmupSeconds), Site, ct);
            }
            var trivial = new List<RawHttpLoad.Phase>();
            var site = new List<RawHttpLoad.Phase>();
            for (var round = 0; round < 2; round++)
            {
                trivial.Add(await RawHttpLoad.RunAsync(port, o.Connections, TimeSpan.FromSeconds(o.Seconds), Trivial, ct));
                site.Add(await RawHttpLoad.RunAsync(port, o.Connections, TimeSpan.FromSeconds(o.Seconds), Site, ct));
                Console.Error.WriteLine($"site: round {round + 1}: trivial {trivial[^1].Rps:F0} req/s, site {site[^1].Rps:F0} req/s");
            }
            foreach (var e in site.Concat(trivial).SelectMany(p => p.FirstErrors).Take(5)) Console.Error.WriteLine($"site: error: {e}");

            double Rps(List<RawHttpLoad.Phase> phases) => phases.Sum(p => p.Ok) / phases.Sum(p => p.Elapsed.TotalSeconds);
            var siteLatencies = Percentiles.Merge(site.SelectMany(p => p.Latencies));
            var errors = site.Concat(trivial).Sum(p => p.Errors);
            Console.WriteLine(new ResultLine()
                .Add("bench", "site").Add("connections", o.Connections).Add("seconds", o.Seconds).Add("log_size", size)
                .Add("visit_requests", Visit.Length).Add("visit_bytes", sentBytes).Add("visit_bytes_plain", plainBytes)
                .Add("trivial_rps", (long)Math.Round(Rps(trivial)))
                .Add("site_rps", (long)Math.Round(Rps(site)))
                .Add("visits_per_s", (long)Math.Round(Rps(site) / Visit.Length))
                .Add("site_p50_ms", Percentiles.Of(siteLatencies, 50))
                .Add("site_p99_ms", Percentiles.Of(siteLatencies, 99))
                .Add("ratio", Math.Round(Rps(site) / Rps(trivial), 3))
                .Add("errors", errors)
                .ToJson());
            return errors == 0 ? 0 : 1;
        }
        finally
        {
            if (service is not null) await HttpBenchmark.StopServiceAsync(service);
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// The demo fills the log after start and logs "Demo ready:" once the dashboard and a signed
    /// checkpoint cover all of it; the service's output goes to a file here, so look for the line there.
    /// </summary>
    private static async Task<long> WaitForDemoAsync(HttpClient client, string dataDir, CancellationToken ct)
    {
        var log = Path.Combine(dataDir, "service.log");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(120))
        {
            if (File.Exists(log) && (await File.ReadAllTextAsync(log, ct)).Contains("Demo ready:", StringComparison.Ordinal))
            {
                using var response = await client.GetAsync("/readyz", ct);
                using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
                return doc.RootElement.GetProperty("logSize").GetInt64();
            }
            await Task.Delay(200, ct);
        }
        throw new BenchmarkException("the demo region was not ready within 120 s");
    }

    /// <summary>The bytes of one uncached visit, plain and as sent compressed; every compressible answer must come compressed.</summary>
    private static async Task<(long Plain, long Sent)> VisitWeightAsync(HttpClient client, CancellationToken ct)
    {
        long plain = 0, sent = 0;
        foreach (var path in Visit)
        {
            using var identity = await client.GetAsync(path, ct);
            plain += (await identity.Content.ReadAsByteArrayAsync(ct)).LongLength;
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
            using var compressed = await client.SendAsync(request, ct);
            if (compressed.StatusCode != HttpStatusCode.OK) throw new BenchmarkException($"{path}: {(int)compressed.StatusCode}");
            if (compressed.Content.Headers.ContentEncoding.Count == 0 && !path.EndsWith(".svg", StringComparison.Ordinal))
                throw new BenchmarkException($"{path} came uncompressed to a client that accepts br and gzip");
            sent += (await compressed.Content.ReadAsByteArrayAsync(ct)).LongLength;
        }
        return (plain, sent);
    }
}
