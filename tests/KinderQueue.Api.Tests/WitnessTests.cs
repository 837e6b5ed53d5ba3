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

public sealed class WitnessCosigningTests(RunningWitnessFixture f) : IClassFixture<RunningWitnessFixture>
{
    [Fact]
    public async Task The_published_checkpoint_note_carries_the_running_witness_cosignature_and_so_does_the_database()
    {
        await AreaAsync(f, "wi-d", "wi-a");
        await SubmitAsync(f, f.Tokens.Operator, Submission("wi-d", ["wi-a"]));
        var logKey = SignedNote.VerifierKey.Parse(f.LogKey).GetValueOrThrow();
        var board = f.Services.GetRequiredService<CheckpointBoard>();
        SignedNote.Note? note = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await f.Client.GetAsync("/api/v1/public/tlog/checkpoint");
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            note = SignedNote.Parse(await response.Content.ReadAsByteArrayAsync()).GetValueOrThrow();
            if (f.Witness.Key.FindOn(note) is not null && NoteCheckpoint.Parse(note.Text).GetValueOrThrow().Size >= 2) break;
            await Task.Delay(100);
        }
        f.Witness.Key.FindOn(note!).Should().NotBeNull("the witness cosigned a checkpoint covering the appends");
        logKey.Verifies(note!).Should().BeTrue("the log's own signature still verifies with the cosignature appended");
        var size = NoteCheckpoint.Parse(note!.Text).GetValueOrThrow().Size;
        (await f.Store.GetCosignaturesAsync(size, CancellationToken.None)).Should().ContainSingle().Which.Witness.Should().Be(f.Witness.Key.VerifierKey);
        board.Latest!.Checkpoint.Size.Should().BeGreaterThanOrEqualTo(size);
    }
}

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
