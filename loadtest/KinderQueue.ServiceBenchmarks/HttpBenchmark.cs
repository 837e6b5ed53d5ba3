using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using KinderQueue.Api.Hosting;

namespace KinderQueue.ServiceBenchmarks;

/// <summary>
/// The real service as a child process (the Release build of KinderQueue.Api, a temp data folder,
/// a free port on 127.0.0.1), a region set up through the HTTP API as the registrar, then C
/// connections POST /api/v1/applications as an operator for S seconds, each request with its own
/// Idempotency-Key. Every answer must be 201; afterwards the log must hold exactly the acknowledged
/// applications: /readyz logSize grows by their number and their seqs are exactly the new positions.
/// </summary>
public static class HttpBenchmark
{
    public static async Task<int> RunAsync(Options o)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(o.Seconds + o.WarmupSeconds + 300));
        var ct = timeout.Token;
        var dll = HttpBenchmark.ApiDll(o);

        var dataDir = Directory.CreateTempSubdirectory("kq-bench-http-").FullName;
        ScratchDatabase? database = null;
        Process? service = null;
        try
        {
            if (o.Backend == "postgres")
            {
                database = await ScratchDatabase.CreateAsync(o.PostgresServer(), ct);
                Console.Error.WriteLine($"http: database {database.Name}");
            }
            // Tokens are signed by the key under the data folder, which the service then loads.
            var registrar = MintToken(dataDir, "registrar", "bench-registrar");
            var operatorToken = MintToken(dataDir, "operator", "bench-operator");
            var port = FreePort();
            var baseUri = new Uri($"http://127.0.0.1:{port}");
            service = StartService(dll, port, dataDir, database?.ConnectionString);
            Console.Error.WriteLine($"http: service pid {service.Id} on {baseUri} ({o.Backend}), log in {dataDir}/service.log");

            using var handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = o.Connections,
                UseProxy = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.None,
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            };
            using var client = new HttpClient(handler) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(60) };
            await WaitReadyAsync(client, service, ct);

            var workload = new Workload(Workload.TodayInRegion());
            var setupSize = await SetUpAsync(client, registrar, workload, ct);
            Console.Error.WriteLine($"http: region set up through the API; log size {setupSize}");

            var bodies = Enumerable.Range(0, 4096).Select(workload.SubmissionBody).ToArray();
            var auth = new AuthenticationHeaderValue("Bearer", operatorToken);
            Run? warm = null;
            if (o.WarmupSeconds > 0)
            {
                Console.Error.WriteLine($"http: warm-up {o.WarmupSeconds} s with {o.Connections} connections");
                warm = await LoadAsync(client, auth, bodies, o.Connections, TimeSpan.FromSeconds(o.WarmupSeconds), "w", ct);
            }
            Console.Error.WriteLine($"http: measuring {o.Seconds} s with {o.Connections} connections");
            var cpu = new CpuMeter(service);
            var run = await LoadAsync(client, auth, bodies, o.Connections, TimeSpan.FromSeconds(o.Seconds), "m", ct);
            var (clientCpu, serverCpu, machineCpu) = cpu.Stop();

            // Verification: exactly the acknowledged applications, at exactly the positions their answers named.
            var finalSize = await LogSizeAsync(client, ct);
            var acknowledged = (warm?.Seqs.Count ?? 0) + run.Seqs.Count;
            var seqs = (warm?.Seqs ?? []).Concat(run.Seqs).Order().ToList();
            var contiguous = seqs.Count == 0 || (seqs[0] == setupSize && seqs[^1] == setupSize + seqs.Count - 1 && seqs.Distinct().Count() == seqs.Count);
            var verified = finalSize - setupSize == acknowledged && contiguous;
            Console.Error.WriteLine($"http: log size {finalSize} = setup {setupSize} + acknowledged {acknowledged} ({(verified ? "verified" : "MISMATCH")}); " +
                $"cpu: client {clientCpu:F2} cores, server {serverCpu:F2} cores, machine {machineCpu:F2} of {Environment.ProcessorCount} cores");
            foreach (var e in run.FirstErrors) Console.Error.WriteLine($"http: error: {e}");

            var sorted = Percentiles.Merge(run.Latencies);
            var errors = run.Errors + (warm?.Errors ?? 0) + (verified ? 0 : 1);
            Console.WriteLine(new ResultLine()
                .Add("bench", "http-submit").Add("backend", o.Backend).Add("connections", o.Connections).Add("seconds", o.Seconds)
                .Add("requests", run.Seqs.Count)
                .Add("rps", (long)Math.Round(run.Seqs.Count / run.Elapsed.TotalSeconds))
                .Add("p50_ms", Percentiles.Of(sorted, 50))
                .Add("p99_ms", Percentiles.Of(sorted, 99))
                .Add("errors", errors)
                .Add("verified", verified)
                .Add("client_cpu_cores", clientCpu).Add("server_cpu_cores", serverCpu).Add("machine_cpu_cores", machineCpu)
                .ToJson());
            return errors == 0 ? 0 : 1;
        }
        finally
        {
            if (service is not null) await StopServiceAsync(service);
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

    private sealed record Run(List<long> Seqs, List<double>[] Latencies, long Errors, List<string> FirstErrors, TimeSpan Elapsed);

    private static async Task<Run> LoadAsync(HttpClient client, AuthenticationHeaderValue auth, byte[][] bodies, int connections, TimeSpan duration, string phase, CancellationToken ct)
    {
        var media = new MediaTypeHeaderValue("application/json");
        var next = -1;
        long errors = 0;
        var firstErrors = new List<string>();
        var started = Stopwatch.GetTimestamp();
        var loops = Enumerable.Range(0, connections).Select(c => Task.Run(async () =>
        {
            var seqs = new List<long>(4096);
            var latencies = new List<double>(4096);
            while (Stopwatch.GetElapsedTime(started) < duration)
            {
                var i = Interlocked.Increment(ref next);
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/applications");
                request.Headers.Authorization = auth;
                request.Headers.TryAddWithoutValidation("Idempotency-Key", $"bench-{phase}-{i}");
                request.Content = new ByteArrayContent(bodies[i % bodies.Length]);
                request.Content.Headers.ContentType = media;
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.SendAsync(request, ct);
                    var body = await response.Content.ReadAsByteArrayAsync(ct);
                    latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    if (response.StatusCode == HttpStatusCode.Created && SeqOf(body) is { } seq)
                    {
                        seqs.Add(seq);
                    }
                    else
                    {
                        Interlocked.Increment(ref errors);
                        lock (firstErrors)
                        {
                            if (firstErrors.Count < 5) firstErrors.Add($"{(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
                        }
                    }
                }
                catch (HttpRequestException ex)
                {
                    Interlocked.Increment(ref errors);
                    lock (firstErrors)
                    {
                        if (firstErrors.Count < 5) firstErrors.Add(ex.Message);
                    }
                }
            }
            return (seqs, latencies);
        }, ct)).ToArray();
        var results = await Task.WhenAll(loops);
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new Run([.. results.SelectMany(r => r.seqs)], [.. results.Select(r => r.latencies)], errors, firstErrors, elapsed);
    }

    private static long? SeqOf(byte[] body)
    {
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("seq") && reader.Read() && reader.TokenType == JsonTokenType.Number)
                return reader.GetInt64();
        }
        return null;
    }

    /// <summary>Criteria effective today, districts, kindergartens and a capacity file, through the API; returns the log size after.</summary>
    internal static async Task<long> SetUpAsync(HttpClient client, string token, Workload w, CancellationToken ct)
    {
        var auth = new AuthenticationHeaderValue("Bearer", token);
        async Task PostAsync(string path, HttpContent content)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
            request.Headers.Authorization = auth;
            using var response = await client.SendAsync(request, ct);
            if (response.StatusCode != HttpStatusCode.Created)
                throw new BenchmarkException($"setup POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
        static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

        await PostAsync("/api/v1/criteria", new StringContent(w.CriteriaJsonObject().ToJsonString(), Encoding.UTF8, "application/json"));
        foreach (var d in Workload.Districts) await PostAsync("/api/v1/districts", Json(new { id = d, name = $"Район {d}" }));
        foreach (var k in Workload.Kindergartens) await PostAsync("/api/v1/kindergartens", Json(new { id = k.Id, name = $"Детский сад {k.Id}", district = k.District, catchment = k.Catchment }));
        await PostAsync("/api/v1/capacity?dryRun=false&reason=" + "annual-plan", new StringContent(w.CapacityCsv(), Encoding.UTF8, "text/csv"));
        return await LogSizeAsync(client, ct);
    }

    internal static async Task<long> LogSizeAsync(HttpClient client, CancellationToken ct)
    {
        using var response = await client.GetAsync("/readyz", ct);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
        if (response.StatusCode != HttpStatusCode.OK) throw new BenchmarkException($"/readyz: {(int)response.StatusCode} {doc.RootElement}");
        return doc.RootElement.GetProperty("logSize").GetInt64();
    }

    internal static async Task WaitReadyAsync(HttpClient client, Process service, CancellationToken ct, TimeSpan? within = null)
    {
        var deadline = Stopwatch.GetTimestamp();
        var limit = within ?? TimeSpan.FromSeconds(60);
        while (Stopwatch.GetElapsedTime(deadline) < limit)
        {
            if (service.HasExited) throw new BenchmarkException($"the service exited with code {service.ExitCode} during start");
            try
            {
                using var response = await client.GetAsync("/readyz", ct);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // The client's own timeout: a service busy folding a large log may not answer /readyz at once.
                Console.Error.WriteLine($"wait: /readyz did not answer within {client.Timeout.TotalSeconds:F0} s ({Stopwatch.GetElapsedTime(deadline).TotalSeconds:F0} s after start)");
            }
            await Task.Delay(100, ct);
        }
        throw new BenchmarkException($"the service did not become ready within {limit.TotalSeconds:F0} s");
    }

    internal static string MintToken(string dataDir, string role, string subject)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        if (LocalTokenCommand.Run(["--role", role, "--subject", subject, "--hours", "2", "--data-dir", dataDir], stdout, stderr) != 0)
            throw new BenchmarkException($"token: {stderr}");
        return stdout.ToString().Trim();
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The service to start: --api-dll, or the Release build in this repository.</summary>
    internal static string ApiDll(Options o)
    {
        var dll = o.ApiDll ?? Path.Combine(Repo.TryRoot() ?? throw new BenchmarkException("repository root (KinderQueue.sln) not found; pass --api-dll"),
            "src", "KinderQueue.Api", "bin", "Release", "net10.0", "KinderQueue.Api.dll");
        if (!File.Exists(dll)) throw new BenchmarkException($"{dll} not found: dotnet build src/KinderQueue.Api -c Release");
        return dll;
    }

    /// <summary>dotnet KinderQueue.Api.dll --urls http://127.0.0.1:PORT, its output to service.log in the data folder.</summary>
    internal static Process StartService(string dll, int port, string dataDir, string? postgres, IEnumerable<(string Key, string Value)>? environment = null,
        bool demo = false)
    {
        var log = Path.Combine(dataDir, "service.log");
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            // As in the container image: the binaries' folder is the content root (/app), the data
            // folder is elsewhere (/data). With the data under the content root, the configuration
            // file watcher would wake on every write to the database.
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(dll))!,
        };
        // exec: the shell becomes the service, so the pid (and its CPU time) is the service's.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec dotnet \"$0\" --urls \"$1\" $3 >\"$2\" 2>&1");
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.ArgumentList.Add(log);
        start.ArgumentList.Add(demo ? "--demo" : "");
        start.Environment["KinderQueue__DataDir"] = dataDir;
        start.Environment["KinderQueue__PostgresConnectionString"] = postgres ?? "";
        start.Environment["KinderQueue__Authority"] = "";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (key, value) in (environment ?? []).Concat(ExtraServiceEnvironment())) start.Environment[key] = value;
        return Process.Start(start) ?? throw new BenchmarkException("could not start the service");
    }

    /// <summary>KQ_BENCH_SERVICE_ENV="A=1;B=2" passes extra settings to the service (e.g. Logging__LogLevel__Default=Warning).</summary>
    private static IEnumerable<(string, string)> ExtraServiceEnvironment()
    {
        var text = Environment.GetEnvironmentVariable("KQ_BENCH_SERVICE_ENV");
        if (string.IsNullOrWhiteSpace(text)) yield break;
        foreach (var pair in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) yield return (pair[..eq], pair[(eq + 1)..]);
        }
    }

    /// <summary>After a run over a filled store: stop the service, drop the scratch database, delete the data folder.</summary>
    internal static async Task CleanUpAsync(Process? service, ScratchDatabase? database, string dataDir)
    {
        if (service is not null) await StopServiceAsync(service);
        if (database is not null) await database.DisposeAsync();
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

    /// <summary>SIGTERM (graceful: the writer finishes), then SIGKILL after 15 s.</summary>
    internal static async Task StopServiceAsync(Process service)
    {
        try
        {
            if (service.HasExited) return;
            using (var kill = Process.Start("kill", ["-TERM", service.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await service.WaitForExitAsync(wait.Token);
                Console.Error.WriteLine($"http: service stopped (exit code {service.ExitCode})");
            }
            catch (OperationCanceledException)
            {
                service.Kill();
                Console.Error.WriteLine("http: service killed after 15 s");
            }
        }
        finally
        {
            service.Dispose();
        }
    }
}
