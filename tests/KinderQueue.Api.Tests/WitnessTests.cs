using System.Net;
using System.Security.Cryptography;
using KinderQueue.Api.PublicLog;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Cli.Witnessing;
using KinderQueue.Core.Log;
using Microsoft.Extensions.DependencyInjection;
using static KinderQueue.Api.Tests.Support.Region;

namespace KinderQueue.Api.Tests;

/// <summary>A service whose checkpoint key is fixed, so a witness can be configured with its note key before it starts.</summary>
public abstract class WitnessedFixture : ApiFixture
{
    public string CheckpointKeyPem => KeyPem;

    protected WitnessedFixture()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        KeyPem = key.ExportPkcs8PrivateKeyPem();
        using var copy = ECDsa.Create();
        copy.ImportFromPem(KeyPem);
        using var signer = new CheckpointSigner(copy, "kinderqueue.example/witnessed");
        LogKey = signer.Note.VerifierKey;
    }

    public override string Backend => "sqlite";

    protected string KeyPem { get; }

    public string LogKey { get; }

    public Cosignature.Signer Witness { get; } = new("witness.example/ngo", RandomNumberGenerator.GetBytes(32));

    protected abstract string WitnessUrl { get; }

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["KinderQueue:CheckpointKey"] = KeyPem,
        ["KinderQueue:LogOrigin"] = "kinderqueue.example/witnessed",
        ["KinderQueue:CheckpointIntervalSeconds"] = "1",
        ["KinderQueue:Witnesses:0:Url"] = WitnessUrl,
        ["KinderQueue:Witnesses:0:VerifierKey"] = Witness.Key.VerifierKey,
        ["KinderQueue:Witnesses:0:TimeoutMs"] = "500",
        ["KinderQueue:Witnesses:0:RetryDelayMs"] = "20",
        ["KinderQueue:Witnesses:0:BreakSeconds"] = "60",
    };

    protected override Task<string?> CreateDatabaseAsync() => Task.FromResult<string?>(null);
}

/// <summary>A running <c>kq witness</c> on 127.0.0.1 that trusts the service's log key.</summary>
public sealed class RunningWitnessFixture : WitnessedFixture, IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"kq-witness-{Guid.NewGuid():N}.json");

    public RunningWitnessFixture() =>
        Server = WitnessServer.StartAsync("127.0.0.1:0", Witness, [SignedNote.VerifierKey.Parse(LogKey).GetValueOrThrow()], WitnessStateFile.Open(_state)).GetAwaiter().GetResult();

    public WitnessServer Server { get; }

    protected override string WitnessUrl => Server.Url;

    public void Dispose()
    {
        Server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        File.Delete(_state);
    }
}

/// <summary>A witness configured on a port where nothing listens.</summary>
public sealed class DownWitnessFixture : WitnessedFixture
{
    protected override string WitnessUrl => "http://127.0.0.1:9";
}

// Not in parallel with another service starting: WebApplicationFactory resolves the service's host by
// listening for any host built in the process, and would catch the in-process witness's.
[Collection("Witnesses")]
public sealed class WitnessCosigningTests(RunningWitnessFixture f) : IClassFixture<RunningWitnessFixture>
{
    /// <summary>
    /// The published checkpoint note once it carries the witness's cosignature and its size satisfies
    /// <paramref name="sizeIsEnough"/>, polled for at most 30 s (the last one seen otherwise, for the assertions to name).
    /// </summary>
    private async Task<byte[]> PublishedNoteAsync(Func<long, bool> sizeIsEnough)
    {
        byte[] bytes = [];
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await f.Client.GetAsync("/api/v1/public/tlog/checkpoint");
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            bytes = await response.Content.ReadAsByteArrayAsync();
            var note = SignedNote.Parse(bytes).GetValueOrThrow();
            if (f.Witness.Key.FindOn(note) is not null && sizeIsEnough(NoteCheckpoint.Parse(note.Text).GetValueOrThrow().Size)) break;
            await Task.Delay(100);
        }
        return bytes;
    }

    [Fact]
    public async Task The_published_checkpoint_note_carries_the_running_witness_cosignature_and_so_does_the_database()
    {
        await AreaAsync(f, "wi-d", "wi-a");
        await SubmitAsync(f, f.Tokens.Operator, Submission("wi-d", ["wi-a"]));
        var logKey = SignedNote.VerifierKey.Parse(f.LogKey).GetValueOrThrow();
        var board = f.Services.GetRequiredService<CheckpointBoard>();
        var note = SignedNote.Parse(await PublishedNoteAsync(size => size >= 2)).GetValueOrThrow();
        f.Witness.Key.FindOn(note).Should().NotBeNull(string.Join("\n", f.Factory.Lines.Where(l => l.Contains("itness", StringComparison.Ordinal)).Take(10)));
        logKey.Verifies(note).Should().BeTrue("the log's own signature still verifies with the cosignature appended");
        var size = NoteCheckpoint.Parse(note.Text).GetValueOrThrow().Size;
        (await f.Store.GetCosignaturesAsync(size, CancellationToken.None)).Should().ContainSingle().Which.Witness.Should().Be(f.Witness.Key.VerifierKey);
        board.Latest!.Checkpoint.Size.Should().BeGreaterThanOrEqualTo(size);
    }

    [Fact]
    public async Task Kq_verify_with_a_quorum_of_one_passes_on_the_cosigned_log_and_fails_on_a_split_view()
    {
        await AreaAsync(f, "wq-d", "wq-a");
        await SubmitAsync(f, f.Tokens.Operator, Submission("wq-d", ["wq-a"]));
        // The dashboard covers the log before kq verify compares it (as in KqVerifyServiceTests).
        await f.Services.GetRequiredService<KinderQueue.Api.Public.PublicProjection>().SyncAsync(CancellationToken.None);
        var size = await f.Store.CountAsync(CancellationToken.None);
        var noteBytes = await PublishedNoteAsync(s => s == size);
        var vkey = f.Witness.Key.VerifierKey;
        var ok = await Kq("verify", "http://localhost/", "--no-progress", "--witness", vkey, "--quorum", "1");
        ok.Code.Should().Be(Cli.CliApp.Ok, ok.Out + ok.Err);
        ok.Out.Should().Contain("Witnesses: 1 of 1 cosigned");

        var stranger = new Cosignature.Signer("witness.example/other", RandomNumberGenerator.GetBytes(32)).Key.VerifierKey;
        var unknown = await Kq("verify", "http://localhost/", "--no-progress", "--witness", stranger, "--quorum", "1");
        unknown.Code.Should().Be(Cli.CliApp.Found, unknown.Out + unknown.Err);
        unknown.Out.Should().Contain("WITNESS QUORUM NOT MET").And.Contain("0 of the 1 given witnesses");

        // The same log as a file with the cosigned note: passes offline too.
        var dir = Directory.CreateTempSubdirectory("kq-witness-verify-").FullName;
        var log = Path.Combine(dir, "log.ndjson");
        await File.WriteAllBytesAsync(log, await f.Client.GetByteArrayAsync("/api/v1/public/log"));
        var noteFile = Path.Combine(dir, "note.txt");
        await File.WriteAllBytesAsync(noteFile, noteBytes);
        (await Kq("verify", log, "--no-progress", "--witness", vkey, "--note", noteFile, "--note-key", f.LogKey)).Code.Should().Be(Cli.CliApp.Ok);

        // A split view: the log signs a second tree of the same size, which the honest witness never cosigned;
        // its cosignature line copied from the first note does not verify over the second.
        var real = SignedNote.Parse(noteBytes).GetValueOrThrow();
        var checkpoint = NoteCheckpoint.Parse(real.Text).GetValueOrThrow();
        using var key = ECDsa.Create();
        key.ImportFromPem(f.CheckpointKeyPem);
        using var signer = new CheckpointSigner(key, "kinderqueue.example/witnessed");
        var otherRoot = SHA256.HashData(checkpoint.Root);
        var forged = System.Text.Encoding.UTF8.GetString(signer.SignNote(checkpoint.Size, otherRoot, checkpoint.Head, checkpoint.Time))
            + System.Text.Encoding.UTF8.GetString(noteBytes).Split('\n').First(l => l.StartsWith("\u2014 witness.example/ngo ", StringComparison.Ordinal)) + "\n";
        var forgedFile = Path.Combine(dir, "forged.txt");
        await File.WriteAllTextAsync(forgedFile, forged);
        var split = await Kq("verify", log, "--no-progress", "--witness", vkey, "--note", forgedFile, "--note-key", f.LogKey);
        split.Code.Should().Be(Cli.CliApp.Found, split.Out + split.Err);
        split.Out.Should().Contain("is not the log verified here");

        // The note of the real tree without its cosignature: the log is fine, the quorum is not met.
        var bare = Path.Combine(dir, "bare.txt");
        await File.WriteAllTextAsync(bare, System.Text.Encoding.UTF8.GetString(signer.SignNote(checkpoint.Size, checkpoint.Root, checkpoint.Head, checkpoint.Time)));
        var uncosigned = await Kq("verify", log, "--no-progress", "--witness", vkey, "--note", bare, "--note-key", f.LogKey);
        uncosigned.Code.Should().Be(Cli.CliApp.Found, uncosigned.Out + uncosigned.Err);
        uncosigned.Out.Should().Contain("0 of the 1 given witnesses");
        Directory.Delete(dir, recursive: true);
    }

    private async Task<(int Code, string Out, string Err)> Kq(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await Cli.CliApp.RunAsync(args, stdout, stderr, f.Factory.Server.CreateHandler());
        return (code, stdout.ToString(), stderr.ToString());
    }
}

// Not in parallel with another service starting: WebApplicationFactory resolves the service's host by
// listening for any host built in the process, and would catch the in-process witness's.
[Collection("Witnesses")]
public sealed class WitnessDownTests(DownWitnessFixture f) : IClassFixture<DownWitnessFixture>
{
    [Fact]
    public async Task Appends_complete_while_the_witness_is_unreachable_and_its_circuit_opens()
    {
        await AreaAsync(f, "wd-d", "wd-a");
        for (var i = 0; i < 5; i++) await SubmitAsync(f, f.Tokens.Operator, Submission("wd-d", ["wd-a"]));
        (await f.Store.CountAsync(CancellationToken.None)).Should().BeGreaterThanOrEqualTo(6);

        var witness = f.Services.GetRequiredService<WitnessSubmitter>().Witnesses.Should().ContainSingle().Subject;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!witness.CircuitOpen && DateTime.UtcNow < deadline) await Task.Delay(50);
        witness.CircuitOpen.Should().BeTrue("repeated connection failures open the circuit");
        using var response = await f.Client.GetAsync("/api/v1/public/tlog/checkpoint");
        response.StatusCode.Should().Be(HttpStatusCode.OK, "the note is served uncosigned meanwhile");
        f.Witness.Key.FindOn(SignedNote.Parse(await response.Content.ReadAsByteArrayAsync()).GetValueOrThrow()).Should().BeNull();
    }
}
