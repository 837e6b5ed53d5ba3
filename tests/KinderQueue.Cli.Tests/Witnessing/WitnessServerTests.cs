using System.Collections.Immutable;
using System.Net;
using KinderQueue.Cli.Witnessing;
using KinderQueue.Core.Log;
using NodaTime;

namespace KinderQueue.Cli.Tests.Witnessing;

/// <summary>
/// <c>kq witness</c> over real HTTP on 127.0.0.1: it cosigns a consistent sequence, refuses what the
/// protocol says to refuse, keeps its state across a restart and keeps its key private.
/// </summary>
public sealed class WitnessServerTests : IDisposable
{
    private const string Origin = "kinderqueue.example/witness-test";
    private static readonly Instant T0 = Instant.FromUtc(2027, 1, 15, 9, 0);
    private readonly TempDir _dir = new();
    private readonly SignedNote.Ed25519Signer _log = new(Origin, [.. Enumerable.Range(1, 32).Select(i => (byte)i)]);
    private readonly List<byte[]> _leaves = [.. Enumerable.Range(0, 16).Select(i => MerkleHash.Leaf(BitConverter.GetBytes(i)))];
    private static readonly HttpClient Http = new();

    public void Dispose() => _dir.Dispose();

    private Task<WitnessServer> StartAsync(Cosignature.Signer signer) =>
        WitnessServer.StartAsync("127.0.0.1:0", signer, [SignedNote.VerifierKey.Parse(_log.VerifierKey).GetValueOrThrow()], WitnessStateFile.Open(_dir.File("state.json")));

    private string Note(long size, IReadOnlyList<byte[]>? leaves = null) =>
        _log.Sign(new NoteCheckpoint(Origin, size, MerkleTree.Root(leaves ?? _leaves, size), new byte[32], T0 + Duration.FromSeconds(size)).Text());

    private static async Task<(HttpStatusCode Status, string Body, string? Type)> PostAsync(WitnessServer server, long old, ImmutableArray<byte[]> proof, string note)
    {
        var body = new AddCheckpointRequest(old, proof, System.Text.Encoding.UTF8.GetBytes(note)).Format();
        using var response = await Http.PostAsync(server.Url + "/add-checkpoint", new ByteArrayContent(body));
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_consistent_sequence_is_cosigned_and_a_fork_refused_over_http()
    {
        var signer = new Cosignature.Signer("witness.example/ngo", [.. Enumerable.Range(50, 32).Select(i => (byte)i)]);
        await using var server = await StartAsync(signer);
        server.Url.Should().StartWith("http://127.0.0.1:");

        var first = await PostAsync(server, 0, [], Note(4));
        first.Status.Should().Be(HttpStatusCode.OK);
        var cosigned = SignedNote.Parse(System.Text.Encoding.UTF8.GetBytes(Note(4) + first.Body)).GetValueOrThrow();
        signer.Key.FindOn(cosigned).Should().NotBeNull();

        (await PostAsync(server, 4, MerkleTree.ConsistencyProof(_leaves, 4, 9), Note(9))).Status.Should().Be(HttpStatusCode.OK);

        var stale = await PostAsync(server, 4, MerkleTree.ConsistencyProof(_leaves, 4, 12), Note(12));
        stale.Status.Should().Be(HttpStatusCode.Conflict);
        stale.Body.Should().Be("9\n");
        stale.Type.Should().Be("text/x.tlog.size");

        var fork = new List<byte[]>(_leaves) { [3] = MerkleHash.Leaf([9, 9, 9]) };
        var refused = await PostAsync(server, 9, MerkleTree.ConsistencyProof(fork, 9, 12), Note(12, fork));
        refused.Status.Should().Be(HttpStatusCode.UnprocessableEntity);
        refused.Type.Should().Be("application/problem+json");

        var other = new SignedNote.Ed25519Signer("other.example/log", [.. Enumerable.Range(1, 32).Select(i => (byte)i)]);
        (await PostAsync(server, 0, [], other.Sign($"other.example/log\n0\n{Convert.ToBase64String(MerkleHash.EmptyRoot)}\n"))).Status.Should().Be(HttpStatusCode.NotFound);

        using var garbage = await Http.PostAsync(server.Url + "/add-checkpoint", new StringContent("hello"));
        garbage.StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var originHash = Hex.Encode(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Origin)));
        var monitored = await Http.GetStringAsync($"{server.Url}/{originHash}/checkpoint");
        monitored.Should().StartWith(Note(9).Split("\n\n")[0]);
        signer.Key.FindOn(SignedNote.Parse(System.Text.Encoding.UTF8.GetBytes(monitored)).GetValueOrThrow()).Should().NotBeNull();
    }

    [Fact]
    public async Task The_state_survives_a_restart_so_a_restarted_witness_still_refuses_to_go_back()
    {
        var keyFile = _dir.File("witness.key");
        var signer = WitnessKeyFile.Create(keyFile, "witness.example/ngo");
        await using (var server = await StartAsync(signer))
        {
            (await PostAsync(server, 0, [], Note(6))).Status.Should().Be(HttpStatusCode.OK);
        }

        await using var restarted = await StartAsync(WitnessKeyFile.Load(keyFile));
        var conflict = await PostAsync(restarted, 0, [], Note(3));
        conflict.Status.Should().Be(HttpStatusCode.Conflict, "the restarted witness remembers size 6");
        conflict.Body.Should().Be("6\n");
        var fork = new List<byte[]>(_leaves) { [0] = MerkleHash.Leaf([7]) };
        (await PostAsync(restarted, 6, [], Note(6, fork))).Status.Should().Be(HttpStatusCode.UnprocessableEntity, "it remembers the root too");
        var next = await PostAsync(restarted, 6, MerkleTree.ConsistencyProof(_leaves, 6, 10), Note(10));
        next.Status.Should().Be(HttpStatusCode.OK);
        signer.Key.FindOn(SignedNote.Parse(System.Text.Encoding.UTF8.GetBytes(Note(10) + next.Body)).GetValueOrThrow()).Should().NotBeNull("the same key after the restart");
    }

    [Fact]
    public void The_key_file_is_private_and_never_overwritten()
    {
        var keyFile = _dir.File("k/witness.key");
        var signer = WitnessKeyFile.Create(keyFile, "witness.example/ngo");
        if (!OperatingSystem.IsWindows()) File.GetUnixFileMode(keyFile).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WitnessKeyFile.Load(keyFile).Key.Should().Be(signer.Key);
        var again = () => WitnessKeyFile.Create(keyFile, "witness.example/ngo");
        again.Should().Throw<WitnessSetupException>().WithMessage("*already exists*");
        WitnessKeyFile.Load(keyFile).Key.Should().Be(signer.Key);
    }

    [Fact]
    public async Task The_command_creates_its_key_prints_the_verifier_key_and_serves_until_stopped()
    {
        var keyFile = _dir.File("witness.key");
        using var stop = new CancellationTokenSource();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var run = CliRun(["--key", keyFile, "--name", "witness.example/ngo", "--state", _dir.File("state.json"), "--log-key", _log.VerifierKey, "--listen", "127.0.0.1:0"], stdout, stderr, stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!stdout.ToString().Contains("listening on", StringComparison.Ordinal) && !run.IsCompleted && DateTime.UtcNow < deadline) await Task.Delay(50);
        stdout.ToString().Should().Contain("witness key: witness.example/ngo+", stderr.ToString());
        var vkey = stdout.ToString().Split('\n')[0]["witness key: ".Length..].Trim();
        CosignerKey.Parse(vkey).GetValueOrThrow().Should().Be(WitnessKeyFile.Load(keyFile).Key);
        await stop.CancelAsync();
        (await run.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(CliApp.Ok);
    }

    [Fact]
    public async Task Without_a_log_key_or_with_a_damaged_state_file_the_witness_does_not_start()
    {
        var stderr = new StringWriter();
        (await CliRun(["--key", _dir.File("k"), "--name", "w.example/x", "--state", _dir.File("s")], new StringWriter(), stderr, default)).Should().Be(CliApp.InputError);
        stderr.ToString().Should().Contain("--log-key");

        var state = _dir.Write("broken.json", "{\"logs\": {\"x\": {\"size\": \"no\"}}}");
        stderr = new StringWriter();
        (await CliRun(["--key", _dir.File("k"), "--name", "w.example/x", "--state", state, "--log-key", _log.VerifierKey, "--listen", "127.0.0.1:0"], new StringWriter(), stderr, default))
            .Should().Be(CliApp.InputError);
        stderr.ToString().Should().Contain("cannot be read");
        File.ReadAllText(state).Should().Contain("\"no\"", "a damaged state is never replaced");
    }

    private static Task<int> CliRun(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        Task.Run(() => WitnessCommand.RunAsync(args, TextWriter.Synchronized(stdout), stderr, ct), ct);
}
