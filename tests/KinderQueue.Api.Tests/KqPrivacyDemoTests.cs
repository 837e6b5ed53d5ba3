using System.Diagnostics;
using System.Text.Json;
using KinderQueue.Api.Demo;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Cli;
using KinderQueue.Storage.Appending;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace KinderQueue.Api.Tests;

/// <summary>
/// <c>kq privacy</c> over the demo region, read from the in-memory service over HTTP as a validator would
/// read it: the whole demo (a year of history, about 22,800 entries) fills in well under a minute, so the test runs on the real
/// thing rather than a smaller seed. Its figures depend on the day the demo is filled, so the test checks
/// that they are all there and consistent, and that the demo carries no typed text (exit 0).
/// </summary>
public sealed class KqPrivacyDemoTests(KqPrivacyDemoTests.DemoFixture demo) : IClassFixture<KqPrivacyDemoTests.DemoFixture>
{
    /// <summary>
    /// A service whose log starts empty (the usual fixture publishes criteria first, and the demo fills
    /// only an empty log), filled by the demo exactly as <c>--demo</c> fills it.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "xunit disposes the fixture through IAsyncLifetime.DisposeAsync.")]
    public sealed class DemoFixture : IAsyncLifetime
    {
        private readonly string _dataDir = Directory.CreateTempSubdirectory("kq-privacy-demo-").FullName;
        private KinderQueueFactory? _factory;

        public KinderQueueFactory Factory => _factory ?? throw new InvalidOperationException("The fixture is not started.");

        public TimeSpan FillTime { get; private set; }

        public async Task InitializeAsync()
        {
            _factory = new KinderQueueFactory(_dataDir, postgres: null);
            var services = _factory.Services;
            var started = Stopwatch.GetTimestamp();
            await DemoRegion.PopulateAsync(services.GetRequiredService<LiveLog>(), services.GetRequiredService<IClock>(), _dataDir,
                services.GetRequiredService<ILoggerFactory>().CreateLogger<DemoFixture>(), CancellationToken.None);
            FillTime = Stopwatch.GetElapsedTime(started);
        }

        public async Task DisposeAsync()
        {
            if (_factory is not null) await _factory.DisposeAsync();
            try
            {
                Directory.Delete(_dataDir, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> Kq(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, demo.Factory.Server.CreateHandler());
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Privacy_OfTheDemo_IsClean_AndReportsEveryFigure()
    {
        // No timing is asserted: the test machines are shared and noisy.
        var (code, stdout, stderr) = await Kq("privacy", "http://localhost/", "--json");

        code.Should().Be(CliApp.Ok, $"{stdout}\n{stderr}");
        using var doc = JsonDocument.Parse(stdout);
        var r = doc.RootElement;
        r.GetProperty("clean").GetBoolean().Should().BeTrue();
        r.GetProperty("typed").GetArrayLength().Should().Be(0, "every demo reason is a published code (SPEC.md §4.6)");
        r.GetProperty("entries").GetInt64().Should().BeGreaterThan(15_000);
        var applications = r.GetProperty("applications").GetInt32();
        applications.Should().Be(10_000);
        var nonGeneral = r.GetProperty("nonGeneral").GetInt32();
        nonGeneral.Should().BeInRange(1, applications - 1, "about 14 % of the demo's applications claim a tier");
        // The register taken over is appended as system:demo; during the simulated year parents act
        // under one pseudonym per application (responses, changes, portal submissions).
        r.GetProperty("parentActors").GetInt32().Should().BeInRange(1, applications);
        r.GetProperty("linkedActors").GetArrayLength().Should().Be(0);
        var strings = r.GetProperty("strings");
        strings.GetProperty("code").GetInt64().Should().BeGreaterThan(1_000, "claim reviews, withdrawals, capacity loads and the court-ordered enrolment");
        long reviews = 0;
        await foreach (var e in demo.Factory.Services.GetRequiredService<LiveLog>().Store.ReadAsync(0, long.MaxValue, CancellationToken.None))
            if (e.Type == Core.Events.SignalReviewed.TypeName) reviews++;
        reviews.Should().BePositive("the department answers some of the demo's signals");
        strings.GetProperty("hash").GetInt64().Should().Be(applications + reviews, "one commitment per application, one explanation hash per signal review");
        strings.GetProperty("institutional").GetInt64().Should().Be(r.GetProperty("institutional").GetArrayLength());

        var rows = r.GetProperty("anonymity").EnumerateArray().ToList();
        rows.Should().HaveCount(8);
        foreach (var row in rows)
        {
            var population = row.GetProperty("population").GetString() == "all" ? applications : nonGeneral;
            row.GetProperty("applications").GetInt32().Should().Be(population);
            var unique = row.GetProperty("unique").GetInt32();
            var belowFive = row.GetProperty("belowFive").GetInt32();
            unique.Should().BeLessThanOrEqualTo(belowFive);
            belowFive.Should().BeLessThanOrEqualTo(population);
            row.GetProperty("minK").GetInt32().Should().BeGreaterThanOrEqualTo(1);
        }
    }

    /// <summary>
    /// The demo's May round names thousands of applicants (its one-entry decision was 369,744 bytes, more than
    /// an entry bundle of c2sp.org/tlog-tiles can hold): written in parts (SPEC.md §8.5), the whole log
    /// publishes as tiles, and those verify.
    /// </summary>
    [Fact]
    public async Task Tiles_OfTheDemo_ArePublished_AndVerify_WithItsLargeDecisionsInParts()
    {
        var export = await demo.Factory.CreateClient().GetStringAsync(new Uri("/api/v1/public/log", UriKind.Relative));
        var lines = export.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().Contain(l => l.Contains("\"type\":\"allocation.continued\"", StringComparison.Ordinal),
            "the demo has a round too large for one entry");
        lines.Select(l => System.Text.Encoding.UTF8.GetByteCount(l)).Max().Should().BeLessThanOrEqualTo(65_535);
        var dir = Directory.CreateTempSubdirectory("kq-demo-tiles-").FullName;
        try
        {
            var publish = await Kq("publish-tiles", dir, "http://localhost/");
            publish.ExitCode.Should().Be(CliApp.Ok, $"{publish.Stdout}\n{publish.Stderr}");
            var key = Path.Combine(dir, "log-key.json");
            await File.WriteAllBytesAsync(key, await demo.Factory.CreateClient().GetByteArrayAsync(new Uri("/api/v1/public/log-key", UriKind.Relative)));
            var verify = await Kq("verify", dir, "--key", key, "--no-progress");
            verify.ExitCode.Should().Be(CliApp.Ok, $"{verify.Stdout}\n{verify.Stderr}");
            verify.Stdout.Should().Contain("INTACT");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Privacy_OfTheDemo_InWords_HasTheTablesAndSaysClean()
    {
        var (code, stdout, stderr) = await Kq("privacy", "http://localhost/");

        code.Should().Be(CliApp.Ok, $"{stdout}\n{stderr}");
        stdout.Should().Contain("10,000 applications").And.Contain("district, birth month, preference list")
            .And.Contain("district, birth month, first preference, registration day").And.Contain("non-general")
            .And.MatchRegex(@"parent actors  0 of [\d,]+ act on more than one application").And.Contain("Детский сад").And.Contain("CLEAN");
        stderr.Should().Contain("entries from http://localhost/");
    }
}
