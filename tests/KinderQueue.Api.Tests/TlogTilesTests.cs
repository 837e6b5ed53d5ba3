using System.Net;
using System.Net.Http.Headers;
using System.Text;
using KinderQueue.Api.Endpoints;
using KinderQueue.Api.PublicLog;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Cli;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Log.Tiles;
using KinderQueue.Storage.Appending;
using Microsoft.Extensions.DependencyInjection;

namespace KinderQueue.Api.Tests;

/// <summary>A service that also writes its tiles into a folder (KinderQueue:Tiles:Directory).</summary>
public abstract class TilesFixture : ApiFixture
{
    public string TilesDir => Path.Combine(DataDir, "tiles");

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["KinderQueue:Tiles:Directory"] = TilesDir };
}

public sealed class SqliteTilesFixture : TilesFixture
{
    public override string Backend => "sqlite";
    protected override Task<string?> CreateDatabaseAsync() => Task.FromResult<string?>(null);
}

public sealed class PostgresTilesFixture : TilesFixture
{
    private readonly PostgresDatabase _database = new();

    public override string Backend => "postgres";
    protected override Task<string?> CreateDatabaseAsync() => _database.CreateAsync();
    protected override Task DropDatabaseAsync() => _database.DropAsync();
}

/// <summary>
/// The service's tlog-tiles (SPEC.md §11.7) under /api/v1/public/tlog/: the same bytes as <c>kq publish-tiles</c>
/// writes from the service and as the folder the service keeps, verified by <c>kq verify tiles:…</c>; caching
/// headers; problems for paths that name no tile of the tree. Run on both backends (bundles come from the store).
/// </summary>
public abstract class TlogTilesSuite(TilesFixture fixture) : IDisposable
{
    private const string Prefix = "/api/v1/public/tlog/";
    private readonly string _dir = Directory.CreateTempSubdirectory("kq-tlog-tiles-").FullName;

    private TilesFixture F { get; } = Start(fixture);

    // xunit makes a new instance per test: errors logged by earlier tests of the class are theirs.
    private static TilesFixture Start(TilesFixture f)
    {
        f.Factory.Errors.Clear();
        return f;
    }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        F.Factory.Errors.Should().BeEmpty("the service must not log an unhandled exception");
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    [Fact]
    public async Task Served_tiles_are_the_bytes_kq_publish_tiles_writes_and_the_service_folder_holds_and_verify_intact()
    {
        // At least eleven full tiles and bundles, a partial one, and a partial level 1 tile.
        var size = await GrowAsync("tt", 3000);
        var published = Path.Combine(_dir, "published");

        var publish = await Kq("publish-tiles", published, "http://localhost/");
        publish.ExitCode.Should().Be(CliApp.Ok, publish.ToString());
        await FolderHoldsAsync(size);

        var files = Directory.EnumerateFiles(published, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(published, f).Replace(Path.DirectorySeparatorChar, '/')).Order(StringComparer.Ordinal).ToList();
        files.Should().BeEquivalentTo(["checkpoint", .. TileLayout.HashTiles(size).Concat(TileLayout.EntryBundles(size)).Select(t => t.Path())]);
        files.Should().Contain(["tile/0/000", "tile/0/010", "tile/entries/000", "tile/entries/010"]).And.Contain(f => f.StartsWith("tile/1/000.p/", StringComparison.Ordinal));
        foreach (var path in files)
        {
            var expected = await File.ReadAllBytesAsync(Path.Combine(published, path));
            var response = await F.Client.GetAsync(new Uri(Prefix + path, UriKind.Relative));
            response.StatusCode.Should().Be(HttpStatusCode.OK, path);
            (await response.Content.ReadAsByteArrayAsync()).Should().Equal(expected, $"{path} is served as kq publish-tiles wrote it");
            (await File.ReadAllBytesAsync(Path.Combine(F.TilesDir, path))).Should().Equal(expected, $"{path} is in the service's folder as kq publish-tiles wrote it");
        }
        // The service's folder may also hold the partial tiles of earlier checkpoints, never anything else.
        Directory.EnumerateFiles(F.TilesDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(F.TilesDir, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Except(files).Where(p => !p.Contains(".p/", StringComparison.Ordinal)).Should().BeEmpty();

        var key = Path.Combine(_dir, "log-key.json");
        await File.WriteAllBytesAsync(key, await F.Client.GetByteArrayAsync(new Uri("/api/v1/public/log-key", UriKind.Relative)));
        var served = await Kq("verify", "tiles:http://localhost" + Prefix, "--key", key, "--no-progress");
        served.ExitCode.Should().Be(CliApp.Ok, served.ToString());
        served.Stdout.Should().Contain("INTACT");
        var folder = await Kq("verify", F.TilesDir, "--key", key, "--no-progress");
        folder.ExitCode.Should().Be(CliApp.Ok, folder.ToString());
        folder.Stdout.Should().Contain("INTACT");
    }

    [Fact]
    public async Task The_checkpoint_under_the_tiles_prefix_is_the_note_the_folder_holds()
    {
        var size = await GrowAsync("tc", 20);
        await FolderHoldsAsync(size);
        var note = await F.Client.GetAsync(new Uri(Prefix + "checkpoint", UriKind.Relative));
        note.StatusCode.Should().Be(HttpStatusCode.OK);
        note.Content.Headers.ContentType!.ToString().Should().Be("text/plain; charset=utf-8");
        (await note.Content.ReadAsByteArrayAsync()).Should().Equal(await File.ReadAllBytesAsync(Path.Combine(F.TilesDir, "checkpoint")));
    }

    [Fact]
    public async Task Full_tiles_are_immutable_partial_ones_briefly_cached_and_both_answer_304_to_their_tag()
    {
        var size = await GrowAsync("th", 300, partial: 2);
        var partial = TileLayout.HashTiles(size).First(t => t.Level == 0 && t.IsPartial);
        var bundle = TileLayout.EntryBundles(size).First(t => t.IsPartial);
        foreach (var (id, caching) in new[] { (TileId.Hashes(0, 0), TlogTilesApi.FullCaching), (TileId.Entries(0), TlogTilesApi.FullCaching),
            (partial, TlogTilesApi.PartialCaching), (bundle, TlogTilesApi.PartialCaching) })
        {
            var response = await F.Client.GetAsync(new Uri(Prefix + id.Path(), UriKind.Relative));
            response.StatusCode.Should().Be(HttpStatusCode.OK, id.Path());
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/octet-stream");
            response.Headers.CacheControl!.ToString().Should().Be(caching, id.Path());
            var body = await response.Content.ReadAsByteArrayAsync();
            if (!id.IsEntries) body.Length.Should().Be(id.Width * 32);
            var etag = response.Headers.ETag!;

            using var again = new HttpRequestMessage(HttpMethod.Get, new Uri(Prefix + id.Path(), UriKind.Relative));
            again.Headers.IfNoneMatch.Add(etag);
            var revalidated = await F.Client.SendAsync(again);
            revalidated.StatusCode.Should().Be(HttpStatusCode.NotModified, id.Path());
            revalidated.Headers.CacheControl!.ToString().Should().Be(caching);
        }
        // A narrower partial tile of a smaller tree is a prefix of the tree's and still served (an older checkpoint's).
        var narrower = TileId.Hashes(0, partial.Index, partial.Width - 1);
        var older = await F.Client.GetByteArrayAsync(new Uri(Prefix + narrower.Path(), UriKind.Relative));
        var current = await F.Client.GetByteArrayAsync(new Uri(Prefix + partial.Path(), UriKind.Relative));
        older.Should().Equal(current[..(narrower.Width * 32)]);
    }

    [Theory]
    [InlineData("tile/0/5")]
    [InlineData("tile/0/0000")]
    [InlineData("tile/00/000")]
    [InlineData("tile/64/000")]
    [InlineData("tile/0/x000/000")]
    [InlineData("tile/0/000.p/0")]
    [InlineData("tile/0/000.p/256")]
    [InlineData("tile/0/000.p/07")]
    [InlineData("tile/0/000/")]
    [InlineData("tile/entries/abc")]
    [InlineData("tile/level/000")]
    [InlineData("tile/0")]
    public async Task A_path_that_is_not_a_canonical_tile_path_is_a_400_problem(string path)
    {
        var response = await F.Client.GetAsync(new Uri(Prefix + path, UriKind.Relative));
        await ShouldBeProblemAsync(response, HttpStatusCode.BadRequest, "tiles.path", path);
    }

    [Fact]
    public async Task A_tile_beyond_the_tree_or_wider_than_it_is_a_404_problem()
    {
        await GrowAsync("tb", 10, partial: 1);
        var tree = F.Log.Tree.Count;
        var last = TileLayout.HashTiles(tree).First(t => t.Level == 0 && t.IsPartial);
        string[] beyond = [TileId.Hashes(0, last.Index + 1).Path(), TileId.Hashes(0, last.Index).Path(), TileId.Hashes(0, last.Index, last.Width + 1).Path(),
            TileId.Entries(last.Index, last.Width + 1).Path(), TileId.Hashes(5, 0, 1).Path(), TileId.Hashes(63, 999_999_999).Path(), "tile/entries/x999/x999/x999/999"];
        foreach (var path in beyond)
        {
            var response = await F.Client.GetAsync(new Uri(Prefix + path, UriKind.Relative));
            await ShouldBeProblemAsync(response, HttpStatusCode.NotFound, "tiles.beyond-tree", path);
            response.Headers.ETag.Should().BeNull(path);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static async Task ShouldBeProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code, string because)
    {
        response.StatusCode.Should().Be(status, because);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json", because);
        var body = await response.Content.ReadAsStringAsync();
        body.Should().Contain($"\"code\":\"{code}\"", because);
    }

    /// <summary>Appends <paramref name="count"/> entries at once (group commits) and waits for a checkpoint covering them.</summary>
    /// <param name="partial">At least this many entries past the last full tile, so the partial tiles the test reads exist.</param>
    private async Task<long> GrowAsync(string prefix, int count, int partial = 0)
    {
        await AppendAsync(prefix, count);
        if (F.Log.Tree.Count % TileId.FullWidth < partial) await AppendAsync(prefix + "-more", partial);
        var size = F.Log.Tree.Count;
        F.Services.GetRequiredService<CheckpointIssuer>().RequestSoon();
        await F.Services.GetRequiredService<CheckpointBoard>().CoveringAsync(size, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        return F.Services.GetRequiredService<CheckpointBoard>().Latest!.Checkpoint.Size;
    }

    private async Task AppendAsync(string prefix, int count)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i => F.Log.ExecuteAsync(new DelegateCommand("system:test", null,
            (_, _) => CommandDecision.Append(new DistrictRegistered($"{prefix}-{i}", $"Район {i}"), _ => [])))));
        results.Should().OnlyContain(r => r.Accepted);
    }

    /// <summary>Waits until the service's folder holds the checkpoint of <paramref name="size"/> entries.</summary>
    private async Task FolderHoldsAsync(long size)
    {
        var file = Path.Combine(F.TilesDir, "checkpoint");
        await Poll.UntilAsync(() => SizeOf(file) == size, TimeSpan.FromSeconds(20), $"the folder should hold the checkpoint of {size} entries");
    }

    internal static long SizeOf(string noteFile)
    {
        if (!File.Exists(noteFile)) return -1;
        var note = SignedNote.Parse(File.ReadAllBytes(noteFile));
        return note.Success && NoteCheckpoint.Parse(note.Value!.Text) is { Success: true } c ? c.Value!.Size : -1;
    }

    private async Task<CliRun> Kq(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, F.Factory.Server.CreateHandler());
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    private sealed record CliRun(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
    }
}

public sealed class SqliteTlogTilesTests(SqliteTilesFixture fixture) : TlogTilesSuite(fixture), IClassFixture<SqliteTilesFixture>;

[Trait("Category", "Postgres")]
[Collection(PostgresServices.Name)]
public sealed class PostgresTlogTilesTests(PostgresTilesFixture fixture) : TlogTilesSuite(fixture), IClassFixture<PostgresTilesFixture>;
