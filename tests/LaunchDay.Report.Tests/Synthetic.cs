using LaunchDay.Report;

namespace LaunchDay.Report.Tests;

/// <summary>
/// A small run folder's worth of data made by hand: two phases of 10 s, one fault window
/// (kill-a from 5 s to 7 s, recovered), steady traffic of every class well inside the SLOs, and
/// every acknowledged application in the database and in both exports exactly once.
/// </summary>
internal sealed class Synthetic
{
    public const long T0 = 1_800_000_000_000_000;

    public static long At(double seconds) => T0 + (long)(seconds * 1_000_000);

    public List<RequestRecord> Records { get; } = [];

    public List<TimelineEvent> Events { get; } = [];

    public Dictionary<string, int> Db { get; } = new(StringComparer.Ordinal);

    public List<VerifyResult> Verify { get; } = [new("a", 0, true, 100, null), new("b", 0, true, 100, null)];

    private int _n;

    public Synthetic()
    {
        Events.Add(new TimelineEvent("fault", "kill-a", At(5), At(7), new Dictionary<string, string>
        {
            ["instances"] = "a",
            ["restarted_us"] = At(5.5).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ready_us"] = At(6.8).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["lookup_us"] = At(7).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        // Every 100 ms of the 20 s, outside the window: one answer of each class, 2-9 ms.
        for (var t = 0.0; t < 20; t += 0.1)
        {
            if (t is >= 4.9 and <= 8.1) continue;
            Submission(t, "a", 201, latencyMs: 5);
            Add(t, 3, 200, Classes.Lookup, "positions", "b", key: "KQ-SEED-1");
            Add(t, 2, 200, Classes.Site, "page", "b");
            if (Math.Round(t * 10) % 20 == 0) Add(t, 9, 200, Classes.Export, "checkpoint", "b");
        }
        Add(12, 40, 201, Classes.Staff, "capacity", "b", key: "ld-capacity-1");
        Add(13, 80, 201, Classes.Staff, "round", "b", key: "ld-round-2");
    }

    public RequestRecord Add(double t, double latencyMs, int status, string cls, string endpoint, string instance,
        string? key = null, string? number = null, int attempt = 1, string? retryAfter = null, string process = "p", int thread = 0, string? extra = null)
    {
        var r = new RequestRecord(At(t), (long)(latencyMs * 1000), status, cls, endpoint, instance, attempt, key, number,
            null, extra, 0, 100, retryAfter, false, process, thread);
        Records.Add(r);
        return r;
    }

    /// <summary>A submission; a 201 gets a fresh number that is put in the database and the exports.</summary>
    public RequestRecord Submission(double t, string instance, int status, double latencyMs = 5, string? key = null, int attempt = 1, bool inLog = true, int thread = 0)
    {
        _n++;
        var number = status == 201 ? $"KQ-{_n:D6}" : null;
        if (number is not null && inLog) Db[number] = 1;
        return Add(t, latencyMs, status, Classes.Write, "apply-parent", instance, key ?? $"ld-{_n}", number, attempt, process: "apply-parent-" + instance, thread: thread);
    }

    /// <summary>A burst window from <paramref name="start"/> to <paramref name="end"/> on both instances, recovered at its end.</summary>
    public void Burst(double start, double end)
    {
        string Us(double s) => At(s).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Events.Add(new TimelineEvent("fault", "burst", At(start), At(end), new Dictionary<string, string>
        {
            ["instances"] = "a,b",
            ["ended_us"] = Us(end),
            ["ready_us_a"] = Us(end), ["lookup_us_a"] = Us(end),
            ["ready_us_b"] = Us(end), ["lookup_us_b"] = Us(end),
        }));
    }

    public RunData Data()
    {
        var records = Records.OrderBy(r => r.StartUs).ThenBy(r => r.Process, StringComparer.Ordinal).ToList();
        var exports = new[] { "a", "b" }.Select(i => new ExportData(i, 100, 100, new Dictionary<string, int>(Db, StringComparer.Ordinal), ["h1", "h2"])).ToList();
        return new RunData
        {
            Info = new RunInfo("test-run", "short", T0, 10, 20, [50, 100], 10, 2, 10, 10, 28,
                new Dictionary<string, double>(StringComparer.Ordinal) { ["applications"] = 600 }, 30, 30, 8, 2,
                "2026-12-07", "2027-01-06", "bash loadtest/launch-day/run.sh --short", "abc1234", "wrk 4.1.0", "postgres 15", 2),
            Records = records,
            Events = Events,
            Plan = [],
            Monitor = [],
            Cpu = [],
            // wrk's own count agrees with the records, as in a run where nothing went missing.
            Wrk = [.. records.GroupBy(r => r.Process).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new WrkSummary(g.Key, 20_000_000, g.Count(r => r.Answered), 0, 0, 0, 0, 0, 0, 0, 0, 0))],
            Exports = exports,
            DbSubmitted = Db,
            DbSize = 100,
            DbIdempotencyKeys = new HashSet<string>(StringComparer.Ordinal),
            Verify = Verify,
            StaffPlan = ["capacity-dry-run", "capacity", "round-dry-run", "round"],
            Problems = [],
        };
    }

    public static SloConfig Slo() => SloConfig.Parse("""
        {
          "p99Ms": { "write": 1000, "lookup": 500, "site": 500, "export": 10000, "staff": 30000 },
          "minRequests": { "write": 50, "lookup": 50, "site": 50, "export": 3 },
          "maxErrorsOutsideWindows": 0,
          "windowGraceSeconds": 1.0,
          "recoveryMaxSeconds": { "kill-a": 15 },
          "minAchievedFraction": 0.95,
          "overload": { "window": "burst", "servedP99Ms": { "write": 1000, "lookup": 500 } },
          "retryLaterAllowed": [ { "endpoint": "receipts", "status": 503 } ]
        }
        """);

    public (Findings Findings, Verdict Verdict) Judge()
    {
        var slo = Slo();
        var findings = Analysis.Analyse(Data(), slo);
        return (findings, Verdict.Decide(findings, slo));
    }
}
