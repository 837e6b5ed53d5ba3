using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KinderQueue.Api.PublicLog;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Cli;
using KinderQueue.Core.Events;
using KinderQueue.Storage.Appending;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace KinderQueue.Api.Tests;

/// <summary>
/// <c>kq verify tiles:http://127.0.0.1:PORT/api/v1/public/tlog/</c> over real sockets against a running
/// service whose log has a full level 1 tile (more than 65,536 entries), and the service's tiles folder
/// verified the same.
/// </summary>
public sealed class TlogTilesKestrelTests(ITestOutputHelper output) : IDisposable
{
    private const int Entries = 66_000;
    private readonly string _dataDir = Directory.CreateTempSubdirectory("kq-tiles-kestrel-").FullName;

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
    public async Task Verify_tiles_over_http_of_a_running_service_with_a_full_level_1_tile_is_intact()
    {
        var tiles = Path.Combine(_dataDir, "tiles");
        var port = FreePort();
        await using var factory = new KinderQueueFactory(_dataDir, null, new Dictionary<string, string> { ["KinderQueue:Tiles:Directory"] = tiles });
        factory.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        factory.StartServer();
        var log = factory.Services.GetRequiredService<LiveLog>();

        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, Entries).Select(i => log.ExecuteAsync(new DelegateCommand("system:test", null,
            (_, _) => CommandDecision.Append(new DistrictRegistered($"k-{i}", $"Район {i}"), _ => [])))));
        results.Should().OnlyContain(r => r.Accepted);
        var appended = clock.Elapsed;
        var size = log.Tree.Count;
        factory.Services.GetRequiredService<CheckpointIssuer>().RequestSoon();
        await factory.Services.GetRequiredService<CheckpointBoard>().CoveringAsync(size, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        var prefix = $"http://127.0.0.1:{port}/api/v1/public/tlog/";
        using var http = new HttpClient();
        var level1 = await http.GetAsync(new Uri(prefix + "tile/1/000"));
        level1.StatusCode.Should().Be(HttpStatusCode.OK);
        var level1Bytes = await level1.Content.ReadAsByteArrayAsync();
        level1Bytes.Length.Should().Be(256 * 32, "a full level 1 tile: 256 hashes of full level 0 tiles");
        var key = Path.Combine(_dataDir, "log-key.json");
        await File.WriteAllBytesAsync(key, await http.GetByteArrayAsync(new Uri($"http://127.0.0.1:{port}/api/v1/public/log-key")));

        clock.Restart();
        var served = await Kq("verify", "tiles:" + prefix, "--key", key, "--no-progress");
        var verified = clock.Elapsed;
        served.Code.Should().Be(CliApp.Ok, served.Text);
        served.Text.Should().Contain("INTACT");

        var folderWritten = await Poll.UntilAsync(() => TlogTilesSuite.SizeOf(Path.Combine(tiles, "checkpoint")) == size,
            TimeSpan.FromSeconds(60), "the folder catches up with the checkpoint");
        (await File.ReadAllBytesAsync(Path.Combine(tiles, "tile", "1", "000"))).Should().Equal(level1Bytes);
        var folder = await Kq("verify", tiles, "--key", key, "--no-progress");
        folder.Code.Should().Be(CliApp.Ok, folder.Text);
        factory.Errors.Should().BeEmpty();
        output.WriteLine($"{size} entries: appended in {appended.TotalSeconds:F1} s; kq verify tiles over http {verified.TotalSeconds:F1} s; " +
            $"folder held the checkpoint {folderWritten.TotalSeconds:F1} s after the verify");
    }

    private static async Task<(int Code, string Text)> Kq(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return (code, $"exit {code}\n{stdout}\n{stderr}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
