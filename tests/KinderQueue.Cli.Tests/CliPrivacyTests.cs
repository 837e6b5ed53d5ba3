using System.Text.Json;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Cli.Tests;

/// <summary>
/// <c>kq privacy</c> on export files: the exit codes (0 no typed text, 1 typed text, 2 usage or input),
/// the human tables and the JSON report. The figures themselves are tested in Core (PrivacyAnalyzerTests);
/// the demo service in the API tests (KqPrivacyDemoTests).
/// </summary>
public sealed class CliPrivacyTests : IDisposable
{
    private const string Moved = "Семья переехала в Тверь к бабушке";
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>
    /// Criteria, a district, two kindergartens, seats, four applications, a claim review and a withdrawal.
    /// Under <paramref name="legacy"/> criteria (no code lists, SPEC.md §4.6) the withdrawal's reason is
    /// what a person typed, which such a log still folds.
    /// </summary>
    private static List<byte[]> Log(bool legacy)
    {
        var criteria = SmallLog.DefaultCriteria();
        if (legacy) criteria = criteria with { Reasons = null };
        var log = new SmallLog(criteria);
        log.Append(SmallLog.On(2026, 12, 4), new CapacityLoaded("annual-plan", [new CapacityRow("kg-1", "junior", 2027, 1)]));
        for (var i = 1; i <= 4; i++)
        {
            var at = SmallLog.On(2027, 2, i);
            log.Append(at, new ApplicationSubmitted($"A-{i}", "new", "portal", at, new YearMonth(2024, 3), "central", i % 2 == 0 ? ["kg-1"] : ["kg-1", "kg-2"],
                new LocalDate(2027, 9, 1), i == 1 ? [new PriorityClaim("first", null)] : [], new string('0', 64)));
        }
        log.Append(SmallLog.On(2027, 3, 1), new ClaimReviewed("A-1", 0, true, "document-confirmed"));
        log.Append(SmallLog.On(2027, 3, 2), new ApplicationWithdrawn("A-4", legacy ? Moved : "moved-away"));
        return log.Lines;
    }

    private string WriteLog(IEnumerable<byte[]> lines, bool finalNewline = true) => SmallLog.Write(_tmp.File("log.ndjson"), lines, finalNewline);

    private static JsonElement Json(CliRun run)
    {
        using var doc = JsonDocument.Parse(run.Stdout);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Privacy_CleanLog_ExitsZero_WithTheTablesOnStdoutAndTheCountOnStderr()
    {
        var lines = Log(legacy: false);

        var run = await CliRun.Of("privacy", WriteLog(lines));

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stdout.Should().Contain($"{lines.Count} read; 4 applications, 1 of them claiming a priority tier")
            .And.Contain("district, birth month, first preference").And.Contain("district, birth month, first preference, registration day")
            .And.Contain("non-general").And.Contain("0 of 0 act on more than one application")
            .And.Contain("Центральный район").And.Contain("CLEAN");
        run.Stdout.Should().NotContain("TYPED");
        run.Stderr.Should().Contain($"read {lines.Count} entries");
    }

    [Fact]
    public async Task Privacy_TypedReasonUnderCriteriaWithoutLists_ExitsOne_AndShowsOnlyAPreview()
    {
        var run = await CliRun.Of("privacy", WriteLog(Log(legacy: true)));

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        // Without lists, the capacity load's and the claim review's code-like words are no published codes either.
        run.Stdout.Should().Contain("TYPED    3 public strings look typed by a person")
            .And.Contain("application.withdrawn").And.Contain("$.reason").And.Contain($"\"Семь…\" ({Moved.Length} characters)");
        (run.Stdout + run.Stderr).Should().NotContain("Тверь").And.NotContain("бабушке");
    }

    [Fact]
    public async Task Privacy_Json_IsOneObjectWithEveryFigure()
    {
        var lines = Log(legacy: true);

        var run = await CliRun.Of("privacy", WriteLog(lines), "--json");

        run.ExitCode.Should().Be(CliApp.Found, run.ToString());
        run.Stdout.TrimEnd().Should().NotContain("\n", "one line of JSON");
        var j = Json(run);
        j.EnumerateObject().Select(p => p.Name).Should().Equal("anonymity", "applications", "clean", "entries", "institutional", "linkedActors",
            "nonGeneral", "parentActors", "source", "strings", "typed");
        j.GetProperty("clean").GetBoolean().Should().BeFalse();
        j.GetProperty("entries").GetInt64().Should().Be(lines.Count);
        j.GetProperty("applications").GetInt32().Should().Be(4);
        j.GetProperty("nonGeneral").GetInt32().Should().Be(1);
        var list = j.GetProperty("anonymity").EnumerateArray().Single(a =>
            a.GetProperty("set").GetString() == "district, birth month, preference list" && a.GetProperty("population").GetString() == "all");
        // Two lists: [kg-1, kg-2] for, [kg-1] for.
        (list.GetProperty("applications").GetInt32(), list.GetProperty("unique").GetInt32(), list.GetProperty("belowFive").GetInt32(), list.GetProperty("minK").GetInt32())
            .Should().Be((4, 0, 4, 2));
        list.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).Should().Equal("district", "birthMonth", "preferences");
        var typed = j.GetProperty("typed").EnumerateArray().ToList();
        typed.Select(t => t.GetProperty("type").GetString()).Should().Equal("capacity.loaded", "claim.reviewed", "application.withdrawn");
        typed[0].GetProperty("why").GetString().Should().Contain("shaped like a code, but no list defines it");
        typed[2].GetProperty("seq").GetInt64().Should().Be(lines.Count - 1);
        typed[2].GetProperty("path").GetString().Should().Be("$.reason");
        typed[2].GetProperty("preview").GetString().Should().Be("Семь…");
        typed[2].GetProperty("length").GetInt32().Should().Be(Moved.Length);
        typed[2].GetProperty("why").GetString().Should().Contain("holds what was typed");
        j.GetProperty("strings").GetProperty("typed").GetInt64().Should().Be(3);
        j.GetProperty("strings").GetProperty("code").GetInt64().Should().Be(0);
        j.GetProperty("institutional").GetArrayLength().Should().Be(3);
        run.Stdout.Should().NotContain("Тверь");
    }

    [Fact]
    public async Task Privacy_MissingFile_ExitsTwo_NamingIt()
    {
        var missing = _tmp.File("nowhere.ndjson");

        var run = await CliRun.Of("privacy", missing);

        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        run.Stderr.Should().Contain(missing).And.Contain("no such file");
        run.Stdout.Should().BeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("--json")]
    [InlineData("a.ndjson b.ndjson")]
    [InlineData("a.ndjson --no-such-option")]
    public async Task Privacy_Usage_ExitsTwo(string args)
    {
        var run = await CliRun.Of(["privacy", .. args.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        run.Stderr.Should().Contain("kq privacy <url-or-file> [--json]");
    }

    [Fact]
    public async Task Privacy_ExportCutOffMidLine_ExitsTwo()
    {
        var run = await CliRun.Of("privacy", WriteLog(Log(legacy: false), finalNewline: false));

        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        run.Stderr.Should().Contain("cut off");
    }

    [Fact]
    public async Task Privacy_LogThatDoesNotFold_ExitsTwo_NamingTheEntry()
    {
        var lines = Log(legacy: false);
        lines.RemoveAt(5);

        var run = await CliRun.Of("privacy", WriteLog(lines));

        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        run.Stderr.Should().Contain("seq 5").And.Contain("fold.sequence").And.Contain("kq verify");
    }

    [Fact]
    public async Task Help_ListsThePrivacyCommand()
    {
        var run = await CliRun.Of("help");

        run.Stdout.Should().Contain("kq privacy <url-or-file> [--json]");
    }
}
