using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Signals;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Cli.Tests;

/// <summary>
/// <c>kq verify --signals</c> (SPEC.md §17.9): the signals are recomputed from the log and a
/// published document is compared with them; a signal removed, invented or changed is a finding
/// (exit 1), and so is a review the ledger refuses.
/// </summary>
public sealed class CliVerifySignalsTests : IDisposable
{
    private const string Staff = "department:7f3a9c21";
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static readonly SignalThresholds Thresholds = new(
        CapacityCutWindowDays: 10, CapacityCutMinSeats: 2, BackdateMinHours: 24, BackdateMaxCount: 2,
        ClaimBurstMaxCount: 2, ClaimBurstStaffSharePercent: 50, ClaimBurstKindergartenSharePercent: 50,
        LateClaimWindowDays: 7, LateClaimMaxCount: 0, CapacityDeadlineMonth: 3, CapacityDeadlineDay: 1,
        ExceptionalMaxPerKindergartenYear: 1, StaffChangeWindowDays: 7, StaffChangeMaxCount: 1,
        PositionLossMinPlaces: 0, PositionLossMaxApplicants: 2);

    /// <summary>A log the service could have written, folded with a signal ledger as it grows.</summary>
    private sealed class SignalledLog
    {
        private readonly LogChain _chain = new();
        public QueueState State { get; } = new();
        public SignalLedger Ledger { get; } = new();
        public List<byte[]> Lines { get; } = [];

        public void Append(Instant at, LogEvent e)
        {
            var (entry, bytes, _) = _chain.Append(at, Staff, e);
            State.Apply(entry, e).Should().BeNull(e.Type);
            Ledger.Observe(entry, e, State);
            Lines.Add(bytes);
        }
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// Criteria with thresholds; a capacity cut and two staff changes before the round of 1 May raise two
    /// signals there; the cut is then under investigation. <paramref name="unknownReview"/> adds a review of a signal never raised.
    /// </summary>
    private static SignalledLog Log(bool unknownReview = false)
    {
        var defaults = CriteriaJson.Parse(File.ReadAllBytes(Repo.DefaultCriteria)).GetValueOrThrow();
        var criteria = defaults with
        {
            Signals = Thresholds,
            Reasons = defaults.ReasonCodes with { SignalOutcomes = [new PublishedCode("justified", new LocalizedName("Обосновано", "Justified"))] },
        };
        var log = new SignalledLog();
        log.Append(SmallLog.On(2026, 12, 1), new CriteriaPublished(criteria));
        log.Append(SmallLog.On(2026, 12, 2), new DistrictRegistered("central", "Центральный район"));
        log.Append(SmallLog.On(2026, 12, 3), new KindergartenRegistered("kg-1", "Детский сад № 1", "central", ["central"]));
        log.Append(SmallLog.On(2027, 1, 10), new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 10)]));
        for (var i = 1; i <= 2; i++)
        {
            var at = SmallLog.On(2027, 2, i);
            log.Append(at, new ApplicationSubmitted($"A-{i}", "new", "portal", at, new YearMonth(2024, 3), "central", ["kg-1"],
                new LocalDate(2027, 9, 1), [], new string('0', 64)));
        }
        log.Append(SmallLog.On(2027, 4, 25), new CapacityLoaded("renovation", [new CapacityRow("kg-1", "junior", 2027, 5)]));
        log.Append(SmallLog.On(2027, 4, 26), new ApplicationChanged("A-1", ["kg-1"], new LocalDate(2027, 10, 1)));
        log.Append(SmallLog.On(2027, 4, 27), new ApplicationChanged("A-2", ["kg-1"], new LocalDate(2027, 10, 1)));
        var round = Rounds.Decide(log.State, "2027-main", new LocalDate(2027, 5, 1), new LocalDate(2027, 9, 1)).GetValueOrThrow();
        log.Append(SmallLog.On(2027, 5, 1, 60), round.Decision);
        var cut = log.Ledger.Document().Signals.Single(s => s.Kind == SignalKinds.CapacityCutBeforeRound);
        log.Append(SmallLog.On(2027, 5, 1, 90), new SignalReviewed(cut.Id, SignalStatuses.Investigating, "justified", Hash("Запрошены документы.")));
        if (unknownReview)
            log.Append(SmallLog.On(2027, 5, 2), new SignalReviewed("sig-0123456789abcdef", SignalStatuses.Investigating, "justified", Hash("Проверено.")));
        return log;
    }

    private (string Log, JsonObject Signals) Published(bool unknownReview = false)
    {
        var log = Log(unknownReview);
        log.Ledger.Document().Signals.Should().HaveCount(2, "the log raises a capacity cut and staff changes");
        var file = SmallLog.Write(_tmp.File("log.ndjson"), log.Lines);
        return (file, JsonNode.Parse(SignalsJson.Write(log.Ledger.Document()))!.AsObject());
    }

    private async Task<JsonElement> Verify(string log, JsonObject signals, int exit)
    {
        var path = _tmp.Write("signals.json", signals);
        var run = await CliRun.Of("verify", log, "--signals", path, "--json", "--no-progress");
        run.ExitCode.Should().Be(exit, run.ToString());
        using var doc = JsonDocument.Parse(run.Stdout);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Signals_EqualToTheRecomputedDocument_Pass_InWordsToo()
    {
        var (log, signals) = Published();
        var report = await Verify(log, signals, CliApp.Ok);
        report.GetProperty("intact").GetBoolean().Should().BeTrue();
        report.GetProperty("signals").GetProperty("compared").GetBoolean().Should().BeTrue();
        report.GetProperty("signals").GetProperty("raised").GetInt32().Should().Be(2);

        var human = await CliRun.Of("verify", log, "--signals", _tmp.Write("pretty.json", signals.ToJsonString(new JsonSerializerOptions { WriteIndented = true })), "--no-progress");
        human.ExitCode.Should().Be(CliApp.Ok, human.ToString());
        human.Stdout.Should().Contain("the published signals document equals the one recomputed from the log (2 signals)");
    }

    [Fact]
    public async Task Signals_WithoutADocument_AreRecomputedAndCounted()
    {
        var (log, _) = Published();
        var run = await CliRun.Of("verify", log, "--no-progress");
        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stdout.Should().Contain("2 recomputed from the log (give --signals FILE|URL");
    }

    private static void ShouldFail(JsonElement report, string code, string path)
    {
        report.GetProperty("intact").GetBoolean().Should().BeFalse();
        var problem = report.GetProperty("problem");
        problem.GetProperty("check").GetString().Should().Be("signals");
        problem.GetProperty("code").GetString().Should().Be(code);
        problem.GetProperty("path").GetString().Should().Be(path);
    }

    [Fact]
    public async Task Signals_OneRemoved_IsMissing()
    {
        var (log, signals) = Published();
        signals["signals"]!.AsArray().RemoveAt(1);
        ShouldFail(await Verify(log, signals, CliApp.Found), "signals.missing", "$.signals");
    }

    [Fact]
    public async Task Signals_OneAdded_IsInvented()
    {
        var (log, signals) = Published();
        var invented = signals["signals"]![0]!.DeepClone().AsObject();
        invented["id"] = "sig-ffffffffffffffff";
        signals["signals"]!.AsArray().Add(invented);
        ShouldFail(await Verify(log, signals, CliApp.Found), "signals.invented", "$.signals[2]");
    }

    [Fact]
    public async Task Signals_AStatusChanged_Differs()
    {
        var (log, signals) = Published();
        signals["signals"]![0]!["status"] = "explained";
        ShouldFail(await Verify(log, signals, CliApp.Found), "signals.differs", "$.signals[0].status");
    }

    [Fact]
    public async Task Signals_ASummaryFigureChanged_Differs()
    {
        var (log, signals) = Published();
        signals["summary"]!["total"]!["confirmed"] = 1;
        ShouldFail(await Verify(log, signals, CliApp.Found), "signals.differs", "$.summary.total.confirmed");
    }

    [Fact]
    public async Task Signals_AReviewOfASignalNeverRaised_IsAFindingAtItsSeq()
    {
        var log = Log(unknownReview: true);
        var file = SmallLog.Write(_tmp.File("log.ndjson"), log.Lines);
        var run = await CliRun.Of("verify", file, "--json", "--no-progress");
        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        using var doc = JsonDocument.Parse(run.Stdout);
        ShouldFail(doc.RootElement, "signal.review-unknown", "$.signal");
        doc.RootElement.GetProperty("problem").GetProperty("seq").GetInt64().Should().Be(log.Lines.Count - 1);
    }
}
