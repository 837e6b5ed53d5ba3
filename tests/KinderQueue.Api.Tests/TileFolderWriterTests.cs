using KinderQueue.Api.PublicLog;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Cli;
using KinderQueue.Core.Events;
using KinderQueue.Storage.Appending;
using Microsoft.Extensions.DependencyInjection;

namespace KinderQueue.Api.Tests;

/// <summary>
/// The tiles folder the service writes (KinderQueue:Tiles:Directory) when it cannot be written: appends and
/// checkpoints go on, the failure is logged and retried, and once the folder is writable it catches up.
/// </summary>
public sealed class TileFolderWriterTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("kq-tile-writer-").FullName;

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
    public async Task An_unwritable_folder_never_blocks_appends_and_is_caught_up_once_writable()
    {
        var tiles = Path.Combine(_dataDir, "tiles");
        Directory.CreateDirectory(tiles);
        // A file where the tile/ folder must go: every tile write fails.
        var blocker = Path.Combine(tiles, "tile");
        await File.WriteAllTextAsync(blocker, "not a folder");
        await using var factory = new KinderQueueFactory(_dataDir, null, new Dictionary<string, string> { ["KinderQueue:Tiles:Directory"] = tiles });
        using var client = factory.CreateClient();
        var log = factory.Services.GetRequiredService<LiveLog>();
        var board = factory.Services.GetRequiredService<CheckpointBoard>();

        var results = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => log.ExecuteAsync(new DelegateCommand("system:test", null,
            (_, _) => CommandDecision.Append(new DistrictRegistered($"fw-{i}", $"Район {i}"), _ => [])))))
            .WaitAsync(TimeSpan.FromSeconds(30));
        results.Should().OnlyContain(r => r.Accepted, "appends do not wait for the folder");
        var size = log.Tree.Count;
        factory.Services.GetRequiredService<CheckpointIssuer>().RequestSoon();
        await board.CoveringAsync(size, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        await WaitAsync(() => factory.Lines.Any(l => l.Contains("Tiles: could not bring", StringComparison.Ordinal) && l.Contains($"of {size} entries", StringComparison.Ordinal)),
            "the failure is logged");
        // The empty log's checkpoint at start needed no tile; this one's stays out until its tiles are in.
        TlogTilesSuite.SizeOf(Path.Combine(tiles, "checkpoint")).Should().BeLessThan(size, "the checkpoint is written only after its tiles");

        File.Delete(blocker);
        await WaitAsync(() => TlogTilesSuite.SizeOf(Path.Combine(tiles, "checkpoint")) == size, "the writer retries and catches up");

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["verify", tiles, "--no-progress"], stdout, stderr);
        code.Should().Be(CliApp.Ok, $"{stdout}\n{stderr}");
        factory.Errors.Should().BeEmpty();
    }

    private static Task WaitAsync(Func<bool> condition, string what) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(30), what);
}
