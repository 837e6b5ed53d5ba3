using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using KinderQueue.Api.Tests.Support;
using Xunit.Abstractions;

namespace KinderQueue.Api.Tests;

/// <summary>
/// kill -9 of the real service while it delivers status updates (issue 14): after the restart every
/// update reaches the portal, and the portal holds each once after dedup by key. SQLite, one process.
/// </summary>
public sealed class FederalPortalKillTests(ITestOutputHelper output)
{
    private static readonly string Dll = Path.Combine(Region.RepositoryRoot(), "src", "KinderQueue.Api", "bin",
#if DEBUG
        "Debug",
#else
        "Release",
#endif
        "net10.0", "KinderQueue.Api.dll");

    [Fact]
    public async Task Kill_during_delivery_then_restart_delivers_every_update_once_after_dedup()
    {
        File.Exists(Dll).Should().BeTrue($"the service is built at {Dll}");
        var dataDir = Directory.CreateTempSubdirectory("kq-federal-kill-").FullName;
        await using var portal = await PortalSimulator.PortalSimulator.StartAsync(seed: 9, token: FederalFixture.PortalToken);
        // Slow enough that the kill lands in the middle of the deliveries.
        portal.Delay = TimeSpan.FromMilliseconds(150);
        var tokens = new TestTokens(dataDir);
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var service = Start(dataDir, baseAddress, portal.BaseAddress);
        try
        {
            await WaitReadyAsync(http, service);
            await PostAsync(http, tokens.Registrar, "api/v1/criteria", Region.Criteria(Region.NewVersion("kill"), Region.Today), HttpStatusCode.Created);
            await PostAsync(http, tokens.Registrar, "api/v1/districts", new JsonObject { ["id"] = "kd", ["name"] = "Kill district" }, HttpStatusCode.Created);
            await PostAsync(http, tokens.Registrar, "api/v1/kindergartens",
                new JsonObject { ["id"] = "kk", ["name"] = "Kill kindergarten", ["district"] = "kd", ["catchment"] = new JsonArray("kd") }, HttpStatusCode.Created);
            const int applications = 30;
            var ids = Enumerable.Range(0, applications).Select(i => $"GU-KILL-{i:D3}").ToList();
            foreach (var id in ids)
            {
                var body = Region.Submission("kd", ["kk"]);
                body["portalId"] = id;
                body["registeredAt"] = KinderQueue.Core.Encoding.Formats.Format(
                    KinderQueue.Core.Encoding.Formats.TruncateToMillisecond(NodaTime.SystemClock.Instance.GetCurrentInstant()));
                await PostAsync(http, tokens.FederalPortal, "api/v1/federal/applications", body, HttpStatusCode.Created);
            }
            var wait = Stopwatch.StartNew();
            while (portal.Received.Count < 3 && wait.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(20);
            portal.Received.Count.Should().BeInRange(3, applications - 1, "the kill must land during delivery");
            service.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no flush
            await service.WaitForExitAsync();
            var atKill = portal.Received.Count;

            service.Dispose();
            service = Start(dataDir, baseAddress, portal.BaseAddress);
            await WaitReadyAsync(http, service);
            var clock = Stopwatch.StartNew();
            while (portal.Received.Count < applications && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(50);
            portal.Received.Values.Select(u => u.PortalId).Should().BeEquivalentTo(ids, "each application's update once after dedup");
            portal.Received.Values.Should().OnlyContain(u => u.Status == "accepted");
            output.WriteLine($"{applications} updates; {atKill} had arrived at the kill; the rest {clock.Elapsed.TotalSeconds:F1} s after the restart was ready; " +
                $"{portal.Repeats} repeats dropped by the portal");
        }
        finally
        {
            if (!service.HasExited) service.Kill(entireProcessTree: true);
            service.Dispose();
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

    private static Process Start(string dataDir, Uri baseAddress, Uri portal)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dataDir };
        foreach (var arg in new[] { Dll, "--urls", baseAddress.ToString().TrimEnd('/') }) start.ArgumentList.Add(arg);
        start.Environment["KinderQueue__DataDir"] = dataDir;
        start.Environment["KinderQueue__Authority"] = "";
        start.Environment["FederalPortal__BaseUrl"] = portal.ToString();
        start.Environment["FederalPortal__Token"] = FederalFixture.PortalToken;
        start.Environment["FederalPortal__PollIntervalMs"] = "50";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the service.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(HttpClient http, Process service)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (service.HasExited) throw new InvalidOperationException($"The service exited with {service.ExitCode}.");
            try
            {
                using var r = await http.GetAsync("readyz");
                if (r.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The service was not ready within 60 s.");
    }

    private static async Task PostAsync(HttpClient http, Caller caller, string url, JsonObject body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", caller.Token);
        using var response = await http.SendAsync(request);
        response.StatusCode.Should().Be(expected, await response.Content.ReadAsStringAsync());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
