using System.Text;
using System.Text.Json;
using KinderQueue.Core.Log;
using KinderQueue.Core.Log.Tiles;
using NodaTime;

namespace KinderQueue.Cli.Tests;

/// <summary>
/// <c>kq publish-tiles</c> writes a log as static tiles (c2sp.org/tlog-tiles) and <c>kq verify</c> reads
/// them back: intact when untouched, a finding for any altered tile or bundle, and a rerun on a grown
/// log only adds files.
/// </summary>
public sealed class CliPublishTilesTests : IDisposable
{
    private const string Origin = "kinderqueue.example/test";
    private static readonly SignedNote.Ed25519Signer Signer = new(Origin, new byte[32]);
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>A real log of a little over 600 entries: two full bundles and a partial one, a partial level 1 tile.</summary>
    private static readonly Lazy<List<byte[]>> Big = new(() => CliVerifyTests.Log(more: 600));

    private string WriteLog(string name, IEnumerable<byte[]> lines) => SmallLog.Write(_tmp.File(name), lines);

    private static byte[] Note(IReadOnlyList<byte[]> lines, int size, Func<byte[], byte[]>? root = null)
    {
        var hashes = lines.Take(size).Select(l => MerkleHash.Leaf(l)).ToList();
        var r = MerkleTree.Root(hashes, size);
        var text = new NoteCheckpoint(Origin, size, root is null ? r : root(r), hashes[^1], Instant.FromUtc(2027, 6, 1, 12, 0)).Text();
        return Encoding.UTF8.GetBytes(Signer.Sign(text));
    }

    private string WriteNote(string name, IReadOnlyList<byte[]> lines, int size)
    {
        var path = _tmp.File(name);
        File.WriteAllBytes(path, Note(lines, size));
        return path;
    }

    private string WriteLogKey() =>
        _tmp.Write("log-key.json", $$"""{"noteVerifierKey":"{{Signer.VerifierKey}}","spki":"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEj5GV5CQQkPZ7cDTcIqNJY2DkXdSD0flZOxRyfwGSRIhkK94XXPwiFMRxufkM1OfKBthxGCKmHJCIzMFEojJFUw=="}""");

    private async Task<string> Publish(IReadOnlyList<byte[]> lines, int size, string dir = "tiles")
    {
        var run = await CliRun.Of("publish-tiles", _tmp.File(dir), WriteLog($"log-{size}.ndjson", lines), "--checkpoint", WriteNote($"note-{size}", lines, size));
        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        return run.Stdout;
    }

    [Fact]
    public async Task PublishTiles_WritesTheSpecLayout_AndVerifyReadsTheFolderAsIntact()
    {
        var lines = Big.Value;
        await Publish(lines, lines.Count);
        var dir = _tmp.File("tiles");

        File.ReadAllBytes(Path.Combine(dir, "checkpoint")).Should().Equal(Note(lines, lines.Count));
        new FileInfo(Path.Combine(dir, "tile", "0", "000")).Length.Should().Be(8192);
        var rest = lines.Count - 512;
        rest.Should().BeInRange(1, 255, "the log has two full bundles and a partial one");
        new FileInfo(Path.Combine(dir, "tile", "0", "002.p", $"{rest}")).Length.Should().Be(rest * 32);
        new FileInfo(Path.Combine(dir, "tile", "1", "000.p", "2")).Length.Should().Be(64);
        var bundle = File.ReadAllBytes(Path.Combine(dir, "tile", "entries", "002.p", $"{rest}"));
        EntryBundle.Decode(bundle, rest).GetValueOrThrow().Items[0].ToArray().Should().Equal(lines[512]);
        Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories).Should().BeEmpty();

        var run = await CliRun.Of("verify", dir, "--key", WriteLogKey(), "--no-progress");

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stdout.Should().Contain("INTACT").And.Contain($"{lines.Count} verified").And.Contain("1 signed and matching");
        (await CliRun.Of("verify", "tiles:" + dir, "--no-progress")).ExitCode.Should().Be(CliApp.Ok);
    }

    [Fact]
    public async Task PublishTiles_Rerun_OnAGrownLog_OnlyAddsFullFiles_AndReplacesPartialOnes()
    {
        var lines = Big.Value;
        await Publish(lines, 300);
        var dir = _tmp.File("tiles");
        var full = Path.Combine(dir, "tile", "entries", "000");
        var before = File.GetLastWriteTimeUtc(full);
        var bytes = File.ReadAllBytes(full);
        File.SetLastWriteTimeUtc(full, before.AddDays(-1));

        var grown = await Publish(lines, lines.Count);

        File.ReadAllBytes(full).Should().Equal(bytes);
        File.GetLastWriteTimeUtc(full).Should().Be(before.AddDays(-1), "a full bundle is written once");
        // New: entries 001, 002.p/W; tiles 0/001, 0/002.p/W, 1/000.p/2; the checkpoint.
        grown.Should().Contain("6 files written");
        File.Exists(Path.Combine(dir, "tile", "0", "001.p", "44")).Should().BeTrue("an older partial tile may stay for clients of the older checkpoint");
        (await Publish(lines, lines.Count)).Should().Contain("0 files written");
        (await CliRun.Of("verify", dir, "--key", WriteLogKey(), "--no-progress")).ExitCode.Should().Be(CliApp.Ok);
    }

    [Theory]
    [InlineData("tile/0/001")]
    [InlineData("tile/1/000.p/2")]
    public async Task Verify_AnAlteredTile_ExitsOne_NamingIt(string path)
    {
        var lines = Big.Value;
        await Publish(lines, lines.Count);
        var file = Path.Combine(_tmp.File("tiles"), path);
        var bytes = File.ReadAllBytes(file);
        bytes[5] ^= 1;
        File.WriteAllBytes(file, bytes);

        var run = await CliRun.Of("verify", _tmp.File("tiles"), "--json", "--no-progress");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        using var doc = JsonDocument.Parse(run.Stdout);
        doc.RootElement.GetProperty("problem").GetProperty("code").GetString().Should().Be("tiles.tile-differs");
        run.Stdout.Should().Contain(path.Replace('/', Path.DirectorySeparatorChar));
    }

    [Fact]
    public async Task Verify_AnAlteredBundle_ExitsOne()
    {
        var lines = Big.Value;
        await Publish(lines, lines.Count);
        var file = Path.Combine(_tmp.File("tiles"), "tile", "entries", "001");
        var entries = EntryBundle.Decode(File.ReadAllBytes(file), 256).GetValueOrThrow().Items.Select(e => e.ToArray()).ToList();
        entries[10] = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(entries[10]).Replace("District", "Distrikt", StringComparison.Ordinal));
        File.WriteAllBytes(file, EntryBundle.Encode([.. entries.Select(e => (ReadOnlyMemory<byte>)e)], 256).GetValueOrThrow());

        var run = await CliRun.Of("verify", _tmp.File("tiles"), "--json", "--no-progress");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        using var doc = JsonDocument.Parse(run.Stdout);
        doc.RootElement.GetProperty("problem").GetProperty("seq").GetInt64().Should().Be(267, "the chain breaks at the entry after the altered one");
    }

    [Fact]
    public async Task Verify_ANoteSignedByAnotherKey_ExitsOne()
    {
        var lines = Big.Value;
        await Publish(lines, lines.Count);
        var other = new SignedNote.Ed25519Signer(Origin, Enumerable.Repeat((byte)7, 32).ToArray());
        var key = _tmp.Write("other-key.json", $$"""{"noteVerifierKey":"{{other.VerifierKey}}","spki":"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEj5GV5CQQkPZ7cDTcIqNJY2DkXdSD0flZOxRyfwGSRIhkK94XXPwiFMRxufkM1OfKBthxGCKmHJCIzMFEojJFUw=="}""");

        var run = await CliRun.Of("verify", _tmp.File("tiles"), "--key", key, "--no-progress");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        run.Stdout.Should().Contain("checkpoint.signature");
    }

    [Fact]
    public async Task PublishTiles_ANoteWhoseRootIsNotTheLogs_ExitsOne_AndWritesNoCheckpoint()
    {
        var lines = Big.Value;
        var note = _tmp.File("bad-note");
        File.WriteAllBytes(note, Note(lines, 300, r => { r[0] ^= 1; return r; }));

        var run = await CliRun.Of("publish-tiles", _tmp.File("tiles"), WriteLog("log.ndjson", lines), "--checkpoint", note);

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        run.Stderr.Should().Contain("not the Merkle root");
        File.Exists(Path.Combine(_tmp.File("tiles"), "checkpoint")).Should().BeFalse();
    }

    [Fact]
    public async Task PublishTiles_IntoTheFolderOfAnotherLog_RefusesToOverwriteAFullTile()
    {
        var lines = Big.Value;
        await Publish(lines, lines.Count);
        var other = CliVerifyTests.Log(more: 600, firstDistrictName: "Другой район");

        var run = await CliRun.Of("publish-tiles", _tmp.File("tiles"), WriteLog("other.ndjson", other), "--checkpoint", WriteNote("other-note", other, other.Count));

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        run.Stderr.Should().Contain("tile/entries/000 is already published with other bytes");
        File.ReadAllBytes(Path.Combine(_tmp.File("tiles"), "checkpoint")).Should().Equal(Note(lines, lines.Count));
    }

    [Fact]
    public async Task PublishTiles_AnEntryAbove65535Bytes_IsRefusedNamingIt()
    {
        var lines = new List<byte[]> { "{\"a\":1}"u8.ToArray(), Encoding.ASCII.GetBytes("{\"a\":\"" + new string('x', 70_000) + "\"}") };

        var run = await CliRun.Of("publish-tiles", _tmp.File("tiles"), WriteLog("huge.ndjson", lines));

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        run.Stderr.Should().Contain("Entry 1 is 70008 bytes");
    }

    [Theory]
    [InlineData(new[] { "publish-tiles" }, "name the folder and the log")]
    [InlineData(new[] { "publish-tiles", "dir" }, "name the folder and the log")]
    [InlineData(new[] { "publish-tiles", "dir", "https://example.org", "--checkpoint", "n" }, "--checkpoint is for a file source")]
    [InlineData(new[] { "publish-tiles", "dir", "a", "b" }, "unexpected argument 'b'")]
    public async Task PublishTiles_BadArguments_AreAUsageError(string[] args, string message)
    {
        var run = await CliRun.Of(args);

        run.ExitCode.Should().Be(CliApp.InputError);
        run.Stderr.Should().Contain(message);
    }
}
