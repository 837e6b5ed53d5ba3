using System.Net;
using KinderQueue.Api.PublicLog;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Log.Tiles;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace KinderQueue.Api.Tests;

/// <summary>
/// A log written before SPEC.md §8.5 may hold an entry of more than 65,535 bytes, which no entry bundle of
/// c2sp.org/tlog-tiles can hold (§11.7): that bundle is a 404 problem <c>tiles.entry-too-large</c>, while
/// the hash tiles, the export and the proofs still serve it. The entry is a capacity load of 1,200 rows
/// in one entry, committed to the store as another (older) writer would have, and followed by the service.
/// Its own fixture: the entry would make every later bundle of a shared log unpublishable.
/// </summary>
public sealed class TlogTilesLegacyEntryTests(SqliteFixture f) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task A_bundle_holding_an_entry_over_65535_bytes_is_a_404_problem_and_its_hash_tile_is_served()
    {
        var registered = await f.Log.ExecuteAsync(new DelegateCommand("system:test", null,
            (_, _) => CommandDecision.Append(new DistrictRegistered("legacy", "Район"), _ => [])));
        registered.Accepted.Should().BeTrue();
        (await f.Log.ExecuteAsync(new DelegateCommand("system:test", null,
            (_, _) => CommandDecision.Append(new KindergartenRegistered("kg-legacy", "Детский сад", "legacy", []), _ => [])))).Accepted.Should().BeTrue();
        var load = new CapacityLoaded("annual-plan", [.. Enumerable.Range(1900, 1200).Select(y => new CapacityRow("kg-legacy", "junior", y, 10))]);
        var payload = EventCodec.Encode(load);
        payload.Length.Should().BeGreaterThan(65_535);

        var (size, head) = await f.Log.ReadAsync((_, view) => (view.Size, view.Head), CancellationToken.None);
        var at = Formats.TruncateToMillisecond(SystemClock.Instance.GetCurrentInstant());
        var entry = new LogEntry(size, at, "system:test", load.Type, payload, head);
        await using (var session = await f.Store.BeginWriteAsync(CancellationToken.None))
            await session.AppendAndCommitAsync([StoredEntry.From(entry, MerkleHash.Leaf(entry.ToBytes()))], [], [], at, CancellationToken.None);
        await Poll.UntilAsync(() => f.Log.Tree.Count == size + 1, TimeSpan.FromSeconds(20), "the service follows the entry another writer committed");
        f.Services.GetRequiredService<CheckpointIssuer>().RequestSoon();
        await f.Services.GetRequiredService<CheckpointBoard>().CoveringAsync(size + 1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        var n = size / TileId.FullWidth;
        var width = (size + 1) % TileId.FullWidth;
        width.Should().BeGreaterThan(0, "the fixture's log is short: the bundle is a partial one");
        var bundle = await f.Client.GetAsync(new Uri($"/api/v1/public/tlog/tile/entries/{n:D3}.p/{width}", UriKind.Relative));
        bundle.StatusCode.Should().Be(HttpStatusCode.NotFound);
        bundle.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await bundle.Content.ReadAsStringAsync()).Should().Contain("\"code\":\"tiles.entry-too-large\"");
        var hashes = await f.Client.GetAsync(new Uri($"/api/v1/public/tlog/tile/0/{n:D3}.p/{width}", UriKind.Relative));
        hashes.StatusCode.Should().Be(HttpStatusCode.OK);
        (await hashes.Content.ReadAsByteArrayAsync()).Length.Should().Be((int)width * 32);
        var export = await f.Client.GetStringAsync(new Uri($"/api/v1/public/log?from={size}&count=1", UriKind.Relative));
        export.Should().StartWith("{\"actor\":\"system:test\"").And.Contain("\"type\":\"capacity.loaded\"");
    }
}
