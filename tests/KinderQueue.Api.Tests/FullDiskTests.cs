using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using KinderQueue.Api.Tests.Support;
using static KinderQueue.Api.Tests.Support.Region;

namespace KinderQueue.Api.Tests;

/// <summary>
/// The service on a real, small file system (a tmpfs of a few megabytes mounted on its data folder),
/// so that a full disk is what SQLite really sees: ENOSPC, SQLITE_FULL. Needs root to mount; where
/// mounting is not allowed, the fixture says so and the test checks nothing (the storage tests cover
/// the same path with an injected SQLITE_FULL).
/// </summary>
public sealed class SmallDiskFixture : ApiFixture
{
    public bool Mounted { get; private set; }

    public override string Backend => "sqlite";

    protected override async Task<string?> CreateDatabaseAsync()
    {
        if (!OperatingSystem.IsLinux()) return null;
        Mounted = await RunAsync("mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", DataDir) == 0;
        return null;
    }

    protected override async Task DropDatabaseAsync()
    {
        if (Mounted) await RunAsync("umount", "-l", DataDir);
    }

    private static async Task<int> RunAsync(string file, params string[] args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            await process.WaitForExitAsync();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}

public sealed class FullDiskTests(SmallDiskFixture f) : IClassFixture<SmallDiskFixture>
{
    [Fact]
    public async Task A_full_disk_is_a_507_that_names_storage_and_nothing_is_lost_or_doubled_once_space_is_back()
    {
        if (!f.Mounted)
        {
            Console.WriteLine("FullDiskTests: tmpfs could not be mounted (not root?); covered by LiveLogTreeTests with an injected SQLITE_FULL.");
            return;
        }
        await AreaAsync(f, "fd-d", "fd-a");
        // A client without the 5xx guard: a 507 is the answer this test waits for.
        using var client = f.Factory.CreateDefaultClient();
        async Task<HttpResponseMessage> Submit(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/applications") { Content = Http.Json(Submission("fd-d", ["fd-a"])) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", f.Tokens.Operator.Token);
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
            return await client.SendAsync(request);
        }

        // Fill the disk, leaving nothing for the database to grow into.
        var filler = Path.Combine(f.DataDir, "filler");
        await using (var fill = File.Create(filler))
        {
            var block = new byte[64 * 1024];
            try
            {
                while (true) await fill.WriteAsync(block);
            }
            catch (IOException)
            {
                // No space left: that is the point.
            }
        }

        HttpResponseMessage? full = null;
        var stored = new List<string>();
        for (var i = 0; i < 300 && full is null; i++)
        {
            var answer = await Submit($"full-disk-{i}");
            if (answer.StatusCode == HttpStatusCode.Created) stored.Add($"full-disk-{i}");
            else full = answer;
        }
        full.Should().NotBeNull("the database cannot grow on a full disk");
        full!.StatusCode.Should().Be((HttpStatusCode)507, await full.Content.ReadAsStringAsync());
        full.Headers.RetryAfter.Should().NotBeNull();
        using (var problem = JsonDocument.Parse(await full.Content.ReadAsStringAsync()))
            problem.RootElement.GetProperty("errors")[0].GetProperty("code").GetString().Should().Be("storage.full");
        var failedKey = $"full-disk-{stored.Count}";
        // Lookups still work, and the instance stays ready: reads need no space.
        (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);

        File.Delete(filler);
        HttpResponseMessage? retried = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline;)
        {
            retried = await Submit(failedKey);
            if (retried.StatusCode == HttpStatusCode.Created) break;
            retried.StatusCode.Should().Be((HttpStatusCode)507, "until the back-off ends the answer names storage");
            await Task.Delay(500);
        }
        retried!.StatusCode.Should().Be(HttpStatusCode.Created, "space is back");
        var again = await Submit(failedKey);
        again.StatusCode.Should().Be(HttpStatusCode.Created);
        (await again.Content.ReadAsStringAsync()).Should().Be(await retried.Content.ReadAsStringAsync(), "the same key replays the first answer, no second application");
    }
}
