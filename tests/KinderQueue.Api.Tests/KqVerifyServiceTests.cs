using System.Net;
using System.Text.Json;
using KinderQueue.Api.Public;
using KinderQueue.Api.PublicLog;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Cli;
using KinderQueue.Core.Log;
using Microsoft.Extensions.DependencyInjection;
using static KinderQueue.Api.Tests.Support.Region;

namespace KinderQueue.Api.Tests;

/// <summary>
/// <c>kq verify</c> end to end against a running service over HTTP (the in-memory server's handler):
/// the log, key, checkpoint and dashboard as a validator downloads them, then the same from files
/// saved from the service, and growth proven from one run to the next through the saved folder.
/// </summary>
public sealed class KqVerifyServiceTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>, IDisposable
{
    private const string Base = "/api/v1/public";
    private readonly string _dir = Directory.CreateTempSubdirectory("kq-verify-e2e-").FullName;

    private ApiFixture F { get; } = fixture;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
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
        public JsonElement Json()
        {
            using var doc = JsonDocument.Parse(Stdout);
            return doc.RootElement.Clone();
        }

        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
    }

    [Fact]
    public async Task Receipt_FromTheService_IsValid_AndEachTamperingIsNamed()
    {
        await AreaAsync(F, "kr-d", "kr-a");
        var mine = await SubmitAsync(F, F.Tokens.Operator, Submission("kr-d", ["kr-a"]));
        await F.Services.GetRequiredService<PublicProjection>().SyncAsync(CancellationToken.None);
        var body = await (await F.SendAsync(HttpMethod.Post, Base + "/receipts", null, Http.Json(new { number = mine.Number, accessCode = mine.AccessCode })))
            .ShouldSucceedAsync(HttpStatusCode.OK);
        var file = Path.Combine(_dir, "receipt.json");
        await File.WriteAllTextAsync(file, body.GetRawText());
        var keyFile = Path.Combine(_dir, "log-key.json");
        await File.WriteAllTextAsync(keyFile, (await (await F.GetAsync(Base + "/log-key")).ShouldSucceedAsync(HttpStatusCode.OK)).GetRawText());

        var valid = await Kq("receipt", file, "--service", "http://localhost/");
        valid.ExitCode.Should().Be(CliApp.Ok, valid.ToString());
        valid.Stdout.Should().StartWith("VALID").And.Contain($"Entry {mine.Seq} (application.submitted)");
        (await Kq("receipt", file, "--key", keyFile)).ExitCode.Should().Be(CliApp.Ok, "a pinned key file works the same");

        var tampered = Path.Combine(_dir, "tampered.json");
        await File.WriteAllTextAsync(tampered, body.GetRawText().Replace(mine.Number, "KQ-XXXXX-XXXXX", StringComparison.Ordinal));
        var changed = await Kq("receipt", tampered, "--key", keyFile);
        changed.ExitCode.Should().Be(CliApp.Found, changed.ToString());
        changed.Stdout.Should().Contain("(entry-hash)");

        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var otherKey = Path.Combine(_dir, "other.pem");
        await File.WriteAllTextAsync(otherKey, other.ExportSubjectPublicKeyInfoPem());
        var foreign = await Kq("receipt", file, "--key", otherKey);
        foreign.ExitCode.Should().Be(CliApp.Found, foreign.ToString());
        foreign.Stdout.Should().Contain("(signature)");

        var broken = Path.Combine(_dir, "broken.json");
        await File.WriteAllTextAsync(broken, "{\"entry\":");
        (await Kq("receipt", broken, "--key", keyFile)).ExitCode.Should().Be(CliApp.InputError);
        (await Kq("receipt", file)).ExitCode.Should().Be(CliApp.InputError, "a key is required");
    }

    /// <summary>Issue 12.5: a genuine receipt pretty-printed with jq . was refused (exit 2); a changed value must still fail.</summary>
    [Fact]
    public async Task Issue12_Receipt_PrettyPrinted_IsValid_AndAChangedRootStillFails()
    {
        await AreaAsync(F, "kp-d", "kp-a");
        var mine = await SubmitAsync(F, F.Tokens.Operator, Submission("kp-d", ["kp-a"]));
        await F.Services.GetRequiredService<PublicProjection>().SyncAsync(CancellationToken.None);
        var body = await (await F.SendAsync(HttpMethod.Post, Base + "/receipts", null, Http.Json(new { number = mine.Number, accessCode = mine.AccessCode })))
            .ShouldSucceedAsync(HttpStatusCode.OK);
        var keyFile = Path.Combine(_dir, "log-key.json");
        await File.WriteAllTextAsync(keyFile, (await (await F.GetAsync(Base + "/log-key")).ShouldSucceedAsync(HttpStatusCode.OK)).GetRawText());
        static string Pretty(string json) => System.Text.Json.Nodes.JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });

        var pretty = Path.Combine(_dir, "pretty.json");
        await File.WriteAllTextAsync(pretty, Pretty(body.GetRawText()));
        var valid = await Kq("receipt", pretty, "--key", keyFile);
        valid.ExitCode.Should().Be(CliApp.Ok, valid.ToString());
        valid.Stdout.Should().StartWith("VALID");

        var root = body.GetProperty("checkpoint").GetProperty("root").GetString()!;
        var changed = Path.Combine(_dir, "pretty-changed.json");
        await File.WriteAllTextAsync(changed, Pretty(body.GetRawText().Replace(root, (root[0] == '0' ? "1" : "0") + root[1..], StringComparison.Ordinal)));
        var refused = await Kq("receipt", changed, "--key", keyFile);
        refused.ExitCode.Should().Be(CliApp.Found, refused.ToString());
        refused.Stdout.Should().Contain("(inclusion)");
    }

    [Fact]
    public async Task Verify_LiveService_IsIntact_ThenProvesGrowth_AndItsExportVerifiesOffline()
    {
        var folder = Path.Combine(_dir, "saved");
        await ActivityAsync("kv1");
        var size = await CheckpointCoveringAsync();

        var first = await Kq("verify", "http://localhost/", "--checkpoints", folder, "--json", "--no-progress");

        first.ExitCode.Should().Be(CliApp.Ok, first.ToString());
        var report = first.Json();
        report.GetProperty("intact").GetBoolean().Should().BeTrue();
        report.GetProperty("size").GetInt64().Should().BeGreaterThanOrEqualTo(size);
        report.GetProperty("decisionsRecomputed").GetInt32().Should().BeGreaterThanOrEqualTo(1);
        report.GetProperty("dashboardCompared").GetBoolean().Should().BeTrue("the service's dashboard is recomputed from its log");
        report.GetProperty("checkpoints").EnumerateArray().Should().ContainSingle(c => !c.GetProperty("saved").GetBoolean()
            && c.GetProperty("subject").GetString() == "http://localhost/api/v1/public/checkpoint");
        var saved = report.GetProperty("saved").GetString()!;
        File.Exists(saved).Should().BeTrue();

        // More activity and a second run: the checkpoint saved by the first is a prefix of the log now served.
        await ActivityAsync("kv2");
        await CheckpointCoveringAsync();
        var second = await Kq("verify", "http://localhost/", "--checkpoints", folder, "--json", "--no-progress");
        second.ExitCode.Should().Be(CliApp.Ok, second.ToString());
        second.Json().GetProperty("checkpoints").EnumerateArray().Should().Contain(c => c.GetProperty("saved").GetBoolean()
            && c.GetProperty("subject").GetString() == saved, "the first run's checkpoint is checked against the grown log");

        // Offline: the export, the key, the checkpoint and the dashboard saved as files.
        var log = await SaveAsync("log.ndjson", "/log");
        var key = await SaveAsync("log-key.json", "/log-key");
        var checkpoint = await SaveAsync("checkpoint.json", "/checkpoint");
        await F.Services.GetRequiredService<PublicProjection>().SyncAsync(CancellationToken.None);
        var dashboard = await SaveAsync("dashboard.json", "/dashboard");
        var offline = await Kq("verify", log, "--key", key, "--checkpoint", checkpoint, "--dashboard", dashboard, "--json", "--no-progress");
        offline.ExitCode.Should().Be(CliApp.Ok, offline.ToString());
        offline.Json().GetProperty("dashboardCompared").GetBoolean().Should().BeTrue();

        var human = await Kq("verify", "http://localhost/", "--no-progress");
        human.ExitCode.Should().Be(CliApp.Ok, human.ToString());
        human.Stdout.Should().Contain("INTACT").And.Contain("the published dashboard equals the one recomputed from the log");
    }

    [Fact]
    public async Task Verify_AgainstAnotherTrustedKey_ReportsTheServiceKey()
    {
        await ActivityAsync("kv3", round: false);
        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var key = Path.Combine(_dir, "other.pem");
        await File.WriteAllTextAsync(key, other.ExportSubjectPublicKeyInfoPem());

        var run = await Kq("verify", "http://localhost/", "--key", key, "--json", "--no-progress");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        run.Json().GetProperty("problem").GetProperty("code").GetString().Should().Be("checkpoint.key");
    }

    /// <summary>Issue 12.6: the service's C2SP note checkpoint is checked too, under its noteVerifierKey or the one pinned.</summary>
    [Fact]
    public async Task Issue12_Verify_LiveService_ChecksTheNoteCheckpoint_AndAPinnedNoteKeyMustBeTheServices()
    {
        await ActivityAsync("kn1");
        await CheckpointCoveringAsync();
        var logKey = await (await F.GetAsync(Base + "/log-key")).ShouldSucceedAsync(HttpStatusCode.OK);
        var published = logKey.GetProperty("noteVerifierKey").GetString()!;

        var run = await Kq("verify", "http://localhost/", "--note-key", published, "--json", "--no-progress");

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        var subjects = run.Json().GetProperty("checkpoints").EnumerateArray().Select(c => c.GetProperty("subject").GetString()).ToList();
        subjects.Should().Contain("http://localhost/api/v1/public/tlog/checkpoint").And.Contain("http://localhost/api/v1/public/checkpoint");

        var other = new SignedNote.Ed25519Signer(logKey.GetProperty("origin").GetString()!, new byte[32]).VerifierKey;
        var pinned = await Kq("verify", "http://localhost/", "--note-key", other, "--json", "--no-progress");
        pinned.ExitCode.Should().Be(CliApp.Found, pinned.ToString());
        pinned.Json().GetProperty("problem").GetProperty("code").GetString().Should().Be("checkpoint.note-key");
    }

    // ------------------------------------------------------------------ helpers

    private async Task ActivityAsync(string prefix, bool round = true)
    {
        await AreaAsync(F, $"{prefix}-d", $"{prefix}-a", $"{prefix}-b");
        var csv = $"kindergarten,group,year,seats\n{prefix}-a,junior,{EnrolmentYear},1\n{prefix}-b,junior,{EnrolmentYear},1\n";
        await (await F.SendAsync(HttpMethod.Post, CapacityUrl(dryRun: false, "annual-plan"), F.Tokens.Registrar, Csv(csv))).ShouldSucceedAsync(HttpStatusCode.Created);
        for (var i = 0; i < 4; i++) await SubmitAsync(F, F.Tokens.Operator, Submission($"{prefix}-d", i % 2 == 0 ? [$"{prefix}-a"] : [$"{prefix}-b", $"{prefix}-a"]));
        if (round)
            await (await F.PostAsync("/api/v1/rounds", F.Tokens.Allocator, new { id = NewVersion(prefix), startDate = Format(DesiredStart), dryRun = false }))
                .ShouldSucceedAsync(HttpStatusCode.Created);
        await F.Services.GetRequiredService<PublicProjection>().SyncAsync(CancellationToken.None);
    }

    /// <summary>Waits until the service's checkpoint covers the whole log (it signs within a second of a round).</summary>
    private async Task<long> CheckpointCoveringAsync()
    {
        var size = await F.LogSizeAsync();
        await F.Services.GetRequiredService<CheckpointBoard>().CoveringAsync(size, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        return size;
    }

    private async Task<string> SaveAsync(string name, string url)
    {
        var response = await F.GetAsync(Base + url);
        response.StatusCode.Should().Be(HttpStatusCode.OK, url);
        var path = Path.Combine(_dir, name);
        await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
        return path;
    }
}
