using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using KinderQueue.Api.Hosting;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Core.Events;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Xunit.Abstractions;

namespace KinderQueue.Api.Tests;

/// <summary>
/// Probes during a long start (issue 16): a service started on a store that already holds a large
/// log listens at once; while it folds, /healthz answers 200 and /readyz 503 with the phase still
/// behind, each within a second, until /readyz says ready. A Kubernetes probe that gets no answer
/// restarts the pod, so silence during the fold would make a large region's start never finish.
/// </summary>
public sealed class StartupProbeTests(ITestOutputHelper output) : IDisposable
{
    // Enough entries that the fold takes several seconds here (many probe rounds), few enough to fill in well under a minute.
    private const int Entries = 80_000;
    private static readonly TimeSpan ProbeLimit = TimeSpan.FromSeconds(1);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("kq-start-probes-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    [Fact]
    public async Task Probes_answer_within_a_second_during_the_whole_start_on_a_prefilled_store()
    {
        await using (var filler = new KinderQueueFactory(_dataDir, null))
        {
            filler.StartServer();
            var log = filler.Services.GetRequiredService<LiveLog>();
            var results = await Task.WhenAll(Enumerable.Range(0, Entries).Select(i => log.ExecuteAsync(new DelegateCommand("system:test", null,
                (_, _) => CommandDecision.Append(new DistrictRegistered($"sp-{i}", $"Район {i}"), _ => [])))));
            results.Should().OnlyContain(r => r.Accepted);
        }

        // The fold is held a little way in until the probes have seen it: how long it lasts on its own
        // depends on the machine (a fast fold once finished before the first probe's answer).
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        FoldHoldStore? hold = null;
        var port = FreePort();
        await using var factory = new KinderQueueFactory(_dataDir, null)
        {
            TestServices = services => services.AddSingleton(sp => new LiveLog(
                hold = new FoldHoldStore(sp.GetRequiredService<ILogStore>(), afterEntries: 1000, release.Task),
                sp.GetRequiredService<IClock>(),
                tailInterval: TimeSpan.FromMilliseconds(sp.GetRequiredService<KinderQueueOptions>().TailIntervalMs))),
        };
        factory.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var clock = Stopwatch.StartNew();
        factory.StartServer();
        var listening = clock.Elapsed;

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        var phases = new List<string>();
        var slowest = TimeSpan.Zero;
        var ready = false;
        var rounds = 0;
        while (!ready && clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            rounds++;
            var probe = Stopwatch.StartNew();
            using (var alive = await http.GetAsync(new Uri("/healthz", UriKind.Relative)))
            {
                alive.StatusCode.Should().Be(HttpStatusCode.OK, "liveness answers during the start");
            }
            var aliveTime = probe.Elapsed;
            // The first request pays the pipeline's JIT and the connection (seconds on a busy machine
            // in Debug), which has nothing to do with the fold; every later probe is bounded.
            if (rounds > 1) slowest = Max(slowest, aliveTime);
            probe.Restart();
            using var readiness = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
            if (rounds > 1) slowest = Max(slowest, probe.Elapsed);
            var body = JsonDocument.Parse(await readiness.Content.ReadAsStringAsync()).RootElement;
            var phase = body.GetProperty("startup").GetProperty("phase").GetString()!;
            if (phases.Count == 0 || phases[^1] != phase) phases.Add(phase);
            if (rounds % 10 == 1 || probe.Elapsed > ProbeLimit / 2)
                output.WriteLine($"{clock.Elapsed.TotalMilliseconds:F0} ms: /healthz {aliveTime.TotalMilliseconds:F0} ms, /readyz {(int)readiness.StatusCode} {probe.Elapsed.TotalMilliseconds:F0} ms, {phase}");
            if (readiness.StatusCode == HttpStatusCode.OK)
            {
                ready = true;
                body.GetProperty("logSize").GetInt64().Should().Be(Entries);
                body.GetProperty("startup").GetProperty("publicProjectionCurrentMs").ValueKind.Should().Be(JsonValueKind.Number);
            }
            else
            {
                readiness.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
                body.GetProperty("status").GetString().Should().Be("not-ready");
                if (phase == "folding-log")
                {
                    body.GetProperty("caughtUp").GetBoolean().Should().BeFalse("the writer has not folded the log yet");
                    // Seen in the middle of the fold (entries read, more to come): now let it run to the end, probes still going.
                    if (hold?.Held.IsCompleted == true && release.TrySetResult()) output.WriteLine($"{clock.Elapsed.TotalMilliseconds:F0} ms: fold seen in progress, released");
                }
                await Task.Delay(100);
            }
        }
        output.WriteLine($"listening after {listening.TotalMilliseconds:F0} ms; ready after {clock.Elapsed.TotalSeconds:F1} s, {rounds} probe rounds, " +
            $"slowest probe {slowest.TotalMilliseconds:F0} ms; phases {string.Join(" → ", phases)}");
        ready.Should().BeTrue("the service becomes ready");
        phases.Should().Contain("folding-log", "the probes answered while the writer folded the log");
        release.Task.IsCompleted.Should().BeTrue("a probe answered while the fold was under way");
        slowest.Should().BeLessThan(ProbeLimit);
        factory.Errors.Should().BeEmpty();
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
