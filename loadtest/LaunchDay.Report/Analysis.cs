using System.Globalization;

namespace LaunchDay.Report;

/// <summary>What one answer (or its absence) means for the verdict.</summary>
internal enum Outcome
{
    Ok,
    /// <summary>5xx.</summary>
    ServerError,
    /// <summary>No answer: the connection failed (status 0).</summary>
    Transport,
    /// <summary>Still unanswered when wrk stopped (status -1).</summary>
    InFlight,
    /// <summary>Load shed: 429, or 503 service.overloaded (admission control; nothing was done).</summary>
    Shed,
    /// <summary>A deliberate try-again the SLOs allow (503 with Retry-After on receipts).</summary>
    RetryLater,
    /// <summary>404 for an application, kindergarten or page that exists.</summary>
    NotFound,
    /// <summary>A 200 about another application, or a wrong access code accepted.</summary>
    WrongAnswer,
    /// <summary>The request itself was refused as malformed or unauthorised: the harness sent something wrong.</summary>
    HarnessError,
    /// <summary>No answer on a connection that turned out dead, and the retry right after it succeeded.</summary>
    RetriedOk,
    Probe,
}

internal sealed record LatencyStats(int Count, double P50Ms, double P90Ms, double P99Ms, double MaxMs)
{
    public static readonly LatencyStats Empty = new(0, 0, 0, 0, 0);
}

/// <summary>Counts of one class's requests inside one window (or outside all).</summary>
internal sealed record ErrorCounts(int Requests, int ServerErrors, int Transport, int InFlight, int Shed, int RetryLater, int NotFound, int WrongAnswers, int RetriedOk = 0)
{
    public int Errors => ServerErrors + Transport + InFlight + Shed + NotFound + WrongAnswers;
}

internal sealed record ClassFinding(string Class, LatencyStats Outside, ErrorCounts CountsOutside, LatencyStats Inside, ErrorCounts CountsInside);

internal sealed record EndpointFinding(string Class, string Endpoint, LatencyStats Outside, int ErrorsOutside, int Inside, int ErrorsInside);

/// <summary>One fault: its window, when it recovered (seconds from t0), and what the clients saw in it.</summary>
internal sealed record FaultFinding(
    string Name,
    double StartS,
    double EndS,
    double BaseS,
    double? ReadyAfterS,
    double? RecoveredAfterS,
    IReadOnlyDictionary<string, ErrorCounts> ByClass,
    IReadOnlyDictionary<string, LatencyStats> ServedByClass,
    IReadOnlyDictionary<string, double?> WritesResumedAfterS,
    int ErrorsAfterReady,
    string Details);

internal sealed record AchievedFinding(string Class, double Planned, int Achieved)
{
    public double Fraction => Planned <= 0 ? 1 : Achieved / Planned;
}

internal sealed record PhaseFinding(int Phase, double StartS, double EndS, int RampPercent, double OutsideSeconds, IReadOnlyDictionary<string, (double PlannedPerMin, double AchievedPerMin, double P99Ms, int Count)> ByClass);

internal sealed record WrkCheck(string Process, long WrkRequests, long RecordedAnswers, long RecordedFailures);

internal sealed record DataFinding(
    int AcknowledgedNumbers,
    int AcknowledgedResponses,
    int Replays,
    IReadOnlyList<string> KeysWithSeveralNumbers,
    IReadOnlyList<string> NumbersWithSeveralKeys,
    IReadOnlyList<string> LostFromDatabase,
    IReadOnlyList<string> DuplicatedInDatabase,
    IReadOnlyDictionary<string, IReadOnlyList<string>> UnpublishedByInstance,
    IReadOnlyDictionary<string, IReadOnlyList<string>> DuplicatedInExport,
    IReadOnlyDictionary<string, long> ExportLines,
    long? DbSize,
    string? ExportsDiffer,
    int DbSubmissions,
    int InDbNotAcknowledged,
    int UnansweredKeys,
    int UnansweredButCommitted,
    IReadOnlyList<VerifyResult> Verify,
    int WrongAnswers);

internal sealed record StaffFinding(int CapacityLoads, int CapacityLoadsPlanned, bool RoundDecided, bool RoundDryRun, double? RoundMs, double? RoundDryRunMs, string? RoundOffers);

/// <summary>Everything the verdict and the report are made of. Pure data.</summary>
internal sealed record Findings(
    IReadOnlyList<ClassFinding> Classes,
    IReadOnlyList<EndpointFinding> Endpoints,
    IReadOnlyList<FaultFinding> Faults,
    IReadOnlyList<AchievedFinding> Achieved,
    IReadOnlyList<PhaseFinding> Phases,
    IReadOnlyList<RequestRecord> ErrorsOutsideWindows,
    int RetriedOkOutsideWindows,
    IReadOnlyList<RequestRecord> HarnessErrors,
    IReadOnlyList<WrkCheck> WrkChecks,
    DataFinding Data,
    StaffFinding Staff,
    IReadOnlyList<string> HarnessProblems,
    int CampaignRequests,
    IReadOnlyDictionary<RequestRecord, Outcome> Outcomes,
    LagFinding Lag);

/// <summary>How late paced requests outside the windows went out against their slots.</summary>
internal sealed record LagFinding(int Paced, int LateOver10Ms, double P99Ms);

internal static class Analysis
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Outcome Classify(RequestRecord r, SloConfig slo)
    {
        if (r.IsProbe) return Outcome.Probe;
        if (r.Status == -1) return Outcome.InFlight;
        if (r.Status == 0) return Outcome.Transport;
        var wrongCode = r.Endpoint.EndsWith("-wrong-code", StringComparison.Ordinal);
        if (r.Status == 503 && r.Extra == "overloaded") return Outcome.Shed;
        if (r.Status >= 500)
        {
            var baseEndpoint = wrongCode ? r.Endpoint[..^"-wrong-code".Length] : r.Endpoint;
            return slo.RetryLaterAllowed.Any(a => a.Endpoint == baseEndpoint && a.Status == r.Status) && r.RetryAfter is not null
                ? Outcome.RetryLater
                : Outcome.ServerError;
        }
        if (r.Status == 429) return Outcome.Shed;
        if (wrongCode) return r.Status == 404 ? Outcome.Ok : r.Status < 300 ? Outcome.WrongAnswer : Outcome.HarnessError;
        if (r.Extra == "wrong-application") return Outcome.WrongAnswer;
        if (r.Status == 404) return Outcome.NotFound;
        if (r.Status >= 400) return Outcome.HarnessError;
        return Outcome.Ok;
    }

    /// <summary>
    /// Every record's outcome, with one correction: a request without an answer (the connection was
    /// dead) whose retry, the next request of the same connection, succeeded counts as RetriedOk.
    /// </summary>
    public static Dictionary<RequestRecord, Outcome> Outcomes(IReadOnlyList<RequestRecord> records, SloConfig slo)
    {
        var result = new Dictionary<RequestRecord, Outcome>(ReferenceEqualityComparer.Instance);
        foreach (var r in records) result[r] = Classify(r, slo);
        foreach (var thread in records.Where(r => !r.IsProbe).GroupBy(r => (r.Process, r.Thread)))
        {
            var list = thread.ToList(); // records are in time order
            for (var i = 0; i + 1 < list.Count; i++)
            {
                var (r, next) = (list[i], list[i + 1]);
                if (r.Status == 0 && next.Attempt == r.Attempt + 1 && next.Endpoint == r.Endpoint && result[next] is Outcome.Ok or Outcome.RetriedOk)
                    result[r] = Outcome.RetriedOk;
            }
        }
        return result;
    }

    public static bool IsError(Outcome o) => o is Outcome.ServerError or Outcome.Transport or Outcome.InFlight or Outcome.Shed or Outcome.NotFound or Outcome.WrongAnswer;

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return 0;
        var index = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
    }

    public static LatencyStats Latency(IEnumerable<RequestRecord> records)
    {
        var ms = records.Where(r => r.Answered).Select(r => r.LatencyUs / 1000.0).Order().ToList();
        return ms.Count == 0 ? LatencyStats.Empty : new LatencyStats(ms.Count, Percentile(ms, 50), Percentile(ms, 90), Percentile(ms, 99), ms[^1]);
    }

    public static ErrorCounts Count(IEnumerable<RequestRecord> records, Func<RequestRecord, Outcome> outcome)
    {
        int n = 0, s5 = 0, tr = 0, fl = 0, shed = 0, rl = 0, nf = 0, wrong = 0, retried = 0;
        foreach (var r in records)
        {
            n++;
            switch (outcome(r))
            {
                case Outcome.ServerError: s5++; break;
                case Outcome.Transport: tr++; break;
                case Outcome.RetriedOk: retried++; break;
                case Outcome.InFlight: fl++; break;
                case Outcome.Shed: shed++; break;
                case Outcome.RetryLater: rl++; break;
                case Outcome.NotFound: nf++; break;
                case Outcome.WrongAnswer: wrong++; break;
                default: break;
            }
        }
        return new ErrorCounts(n, s5, tr, fl, shed, rl, nf, wrong, retried);
    }

    /// <summary>Fault windows as judged: [injected, recovered + grace].</summary>
    public static List<(string Name, long Start, long End)> Windows(IEnumerable<TimelineEvent> events, SloConfig slo) =>
        [.. events.Where(e => e.Kind == "fault").Select(e => (e.Name, e.StartUs, e.EndUs + (long)(slo.WindowGraceSeconds * 1e6)))];

    /// <summary>A request belongs to a window when it was in flight at any moment of it.</summary>
    public static string? WindowOf(RequestRecord r, IReadOnlyList<(string Name, long Start, long End)> windows)
    {
        foreach (var w in windows)
        {
            if (r.StartUs <= w.End && r.EndUs >= w.Start) return w.Name;
        }
        return null;
    }

    public static Findings Analyse(RunData data, SloConfig slo)
    {
        var info = data.Info;
        var windows = Windows(data.Events, slo);
        var campaign = data.Records.Where(r => !r.IsProbe && r.StartUs >= info.T0Us).ToList();
        var inWindow = new Dictionary<RequestRecord, string?>(ReferenceEqualityComparer.Instance);
        foreach (var r in campaign) inWindow[r] = WindowOf(r, windows);
        var outside = campaign.Where(r => inWindow[r] is null).ToList();
        var inside = campaign.Where(r => inWindow[r] is not null).ToList();

        var outcomes = Outcomes(data.Records, slo);
        Outcome O(RequestRecord r) => outcomes[r];
        var classes = Classes.Judged.Select(c => new ClassFinding(c,
            Latency(outside.Where(r => r.Class == c)), Count(outside.Where(r => r.Class == c), O),
            Latency(inside.Where(r => r.Class == c)), Count(inside.Where(r => r.Class == c), O))).ToList();

        var endpoints = campaign.GroupBy(r => (r.Class, r.Endpoint))
            .OrderBy(g => Classes.Judged.ToList().IndexOf(g.Key.Class)).ThenBy(g => g.Key.Endpoint, StringComparer.Ordinal)
            .Select(g => new EndpointFinding(g.Key.Class, g.Key.Endpoint,
                Latency(g.Where(r => inWindow[r] is null)), g.Count(r => inWindow[r] is null && IsError(O(r))),
                g.Count(r => inWindow[r] is not null), g.Count(r => inWindow[r] is not null && IsError(O(r)))))
            .ToList();

        var faults = data.Events.Where(e => e.Kind == "fault").Select(e => Fault(e, campaign, windows, info, O)).ToList();

        var errorsOutside = outside.Where(r => IsError(O(r))).ToList();
        var retriedOutside = outside.Count(r => O(r) == Outcome.RetriedOk);
        var harnessErrors = data.Records.Where(r => O(r) == Outcome.HarnessError).ToList();

        var (achieved, phases) = Rates(data, campaign, windows, inWindow);

        var wrk = data.Wrk.Select(w => new WrkCheck(w.Process,
            w.Requests,
            data.Records.Count(r => r.Process == w.Process && r.Answered),
            data.Records.Count(r => r.Process == w.Process && !r.Answered))).ToList();

        var harness = new List<string>(data.Problems);
        if (campaign.Count == 0) harness.Add("no request of the campaign was recorded");
        if (!data.Records.Any(r => r.IsSubmission && r.Status == 201)) harness.Add("no application was acknowledged (201) at all");
        foreach (var w in wrk.Where(w => w.WrkRequests != w.RecordedAnswers))
            harness.Add(string.Create(Inv, $"wrk process {w.Process} counted {w.WrkRequests} answers, its records {w.RecordedAnswers}"));
        var started = data.Plan.Select(p => p.Process).Concat(data.Records.Select(r => r.Process)).Distinct(StringComparer.Ordinal);
        foreach (var p in started.Where(p => !data.Wrk.Any(w => w.Process == p)).Order(StringComparer.Ordinal))
            harness.Add($"wrk process {p} left no summary (did it crash?)");
        foreach (var planned in info.PlannedFaults ?? [])
        {
            if (!data.Events.Any(e => e.Kind == "fault" && e.Name == planned)) harness.Add($"the fault {planned} was planned but not injected");
        }
        if (harnessErrors.Count > 0)
        {
            var first = harnessErrors[0];
            harness.Add(string.Create(Inv, $"{harnessErrors.Count} requests were refused as malformed or unauthorised (first: {first.Endpoint} answered {first.Status} at {Rel(first.StartUs, info):F1} s)"));
        }

        var paced = outside.Where(r => r.Attempt == 1 && data.Plan.Any(p => p.Process == r.Process)).ToList();
        var lags = paced.Select(r => r.LagUs / 1000.0).Order().ToList();
        var lag = new LagFinding(paced.Count, lags.Count(x => x > 10), Percentile(lags, 99));

        return new Findings(classes, endpoints, faults, achieved, phases, errorsOutside, retriedOutside, harnessErrors, wrk,
            Data(data), Staff(data), harness, campaign.Count, outcomes, lag);
    }

    public static double Rel(long us, RunInfo info) => (us - info.T0Us) / 1e6;

    private static FaultFinding Fault(TimelineEvent e, List<RequestRecord> campaign, List<(string Name, long Start, long End)> windows, RunInfo info, Func<RequestRecord, Outcome> outcome)
    {
        var baseUs = e.DetailUs("ended_us") ?? e.StartUs;
        var readies = e.Details.Where(d => d.Key.StartsWith("ready_us", StringComparison.Ordinal)).Select(d => e.DetailUs(d.Key)).ToList();
        var lookups = e.Details.Where(d => d.Key.StartsWith("lookup_us", StringComparison.Ordinal)).Select(d => e.DetailUs(d.Key)).ToList();
        double? ready = readies.Count > 0 && readies.All(x => x is not null) ? (readies.Max()!.Value - baseUs) / 1e6 : null;
        double? recovered = lookups.Count > 0 && lookups.All(x => x is not null) ? (lookups.Max()!.Value - baseUs) / 1e6 : null;
        var w = windows.First(x => x.Name == e.Name);
        var mine = campaign.Where(r => WindowOf(r, windows) == e.Name).ToList();
        var byClass = new SortedDictionary<string, ErrorCounts>(StringComparer.Ordinal);
        // What a client that was served (not shed, not failed) waited inside the window: under a burst
        // this is what admission control bounds, and what queueing lets grow.
        var served = new SortedDictionary<string, LatencyStats>(StringComparer.Ordinal);
        foreach (var c in Classes.Judged)
        {
            var cs = mine.Where(r => r.Class == c).ToList();
            if (cs.Count == 0) continue;
            byClass[c] = Count(cs, outcome);
            served[c] = Latency(cs.Where(r => outcome(r) == Outcome.Ok));
        }
        var instances = e.Details.TryGetValue("instances", out var list) ? list.Split(',') : [];
        var resumed = new SortedDictionary<string, double?>(StringComparer.Ordinal);
        var errorsAfterReady = 0;
        foreach (var inst in instances)
        {
            var first = campaign.FirstOrDefault(r => r.Instance == inst && r.IsSubmission && r.Status == 201 && r.StartUs >= baseUs);
            resumed[inst] = first is null ? null : (first.EndUs - baseUs) / 1e6;
            // "/readyz said ready" and then answers failed: the readiness it reports came too early. A
            // request shed by admission control is not one: the instance is up and refuses load on purpose
            // (the burst's retries still arrive after it ended).
            var readyUs = e.DetailUs("ready_us_" + inst) ?? (instances.Length == 1 ? e.DetailUs("ready_us") : null);
            if (readyUs is { } ru)
                errorsAfterReady += campaign.Count(r => r.Instance == inst && r.StartUs >= ru && r.StartUs <= w.End && IsError(outcome(r)) && outcome(r) != Outcome.Shed
                    && !windows.Any(o => o.Name != e.Name && r.StartUs <= o.End && r.EndUs >= o.Start));
        }
        return new FaultFinding(e.Name, Rel(e.StartUs, info), Rel(w.End, info), Rel(baseUs, info), ready, recovered, byClass, served, resumed, errorsAfterReady,
            string.Join("; ", e.Details.Where(d => d.Key == "sizes").Select(d => $"log/public sizes at recovery {d.Value}")));
    }

    /// <summary>Seconds of [start, end) that lie outside every window.</summary>
    private static double OutsideSeconds(long start, long end, List<(string Name, long Start, long End)> windows)
    {
        var covered = 0L;
        var cuts = windows.Select(w => (Math.Max(start, w.Start), Math.Min(end, w.End))).Where(x => x.Item2 > x.Item1).OrderBy(x => x.Item1).ToList();
        long cursor = start;
        foreach (var (s, e) in cuts)
        {
            var from = Math.Max(cursor, s);
            if (e > from) covered += e - from;
            cursor = Math.Max(cursor, e);
        }
        return (end - start - covered) / 1e6;
    }

    /// <summary>What a request counts as against the plan: a new application, a lookup, a visit (its page), a download (its checkpoint).</summary>
    public static bool IsPlannedUnit(RequestRecord r) => r.Class switch
    {
        Classes.Write => r.Attempt == 1,
        Classes.Lookup => true,
        Classes.Site => r.Endpoint == "page",
        Classes.Export => r.Endpoint == "checkpoint",
        _ => false,
    };

    private static (List<AchievedFinding>, List<PhaseFinding>) Rates(RunData data, List<RequestRecord> campaign,
        List<(string Name, long Start, long End)> windows, Dictionary<RequestRecord, string?> inWindow)
    {
        var info = data.Info;
        var planned = new Dictionary<string, double>(StringComparer.Ordinal);
        var achieved = new Dictionary<string, int>(StringComparer.Ordinal);
        var phases = new List<PhaseFinding>();
        var planProcesses = data.Plan.Select(p => p.Process).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < info.RampPercent.Count; i++)
        {
            var start = info.T0Us + (long)i * info.PhaseSeconds * 1_000_000;
            var end = start + (long)info.PhaseSeconds * 1_000_000;
            var outsideS = OutsideSeconds(start, end, windows);
            var byClass = new SortedDictionary<string, (double, double, double, int)>(StringComparer.Ordinal);
            foreach (var c in new[] { Classes.Write, Classes.Lookup, Classes.Site, Classes.Export })
            {
                var perMin = data.Plan.Where(p => p.Class == c && i < p.RatesPerMinute.Count).Sum(p => p.RatesPerMinute[i]);
                var units = campaign.Count(r => r.Class == c && planProcesses.Contains(r.Process) && r.StartUs >= start && r.StartUs < end && inWindow[r] is null && IsPlannedUnit(r));
                var inPhase = campaign.Where(r => r.Class == c && r.StartUs >= start && r.StartUs < end && inWindow[r] is null).ToList();
                planned[c] = planned.GetValueOrDefault(c) + perMin * outsideS / 60.0;
                achieved[c] = achieved.GetValueOrDefault(c) + units;
                byClass[c] = (perMin, outsideS > 0 ? units / (outsideS / 60.0) : 0, Latency(inPhase).P99Ms, inPhase.Count);
            }
            phases.Add(new PhaseFinding(i + 1, Rel(start, info), Rel(end, info), info.RampPercent[i], outsideS, byClass));
        }
        var result = planned.Keys.Order(StringComparer.Ordinal).Select(c => new AchievedFinding(c, planned[c], achieved.GetValueOrDefault(c)))
            .OrderBy(a => Classes.Judged.ToList().IndexOf(a.Class)).ToList();
        return (result, phases);
    }

    private static DataFinding Data(RunData data)
    {
        var acked = data.Records.Where(r => r.IsSubmission && r.Status == 201 && r.Number is not null).ToList();
        var numbersOfKey = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var keysOfNumber = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var r in acked)
        {
            var key = r.Key ?? "(no key)";
            if (!numbersOfKey.TryGetValue(key, out var ns)) numbersOfKey[key] = ns = new SortedSet<string>(StringComparer.Ordinal);
            ns.Add(r.Number!);
            if (!keysOfNumber.TryGetValue(r.Number!, out var ks)) keysOfNumber[r.Number!] = ks = new SortedSet<string>(StringComparer.Ordinal);
            ks.Add(key);
        }
        var numbers = keysOfNumber.Keys.ToList();
        var lost = numbers.Where(n => !data.DbSubmitted.ContainsKey(n)).ToList();
        var dupDb = numbers.Where(n => data.DbSubmitted.GetValueOrDefault(n) > 1).ToList();
        var unpublished = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var dupExport = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var lines = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var e in data.Exports)
        {
            unpublished[e.Instance] = numbers.Where(n => data.DbSubmitted.ContainsKey(n) && !e.Submitted.ContainsKey(n)).ToList();
            dupExport[e.Instance] = numbers.Where(n => e.Submitted.GetValueOrDefault(n) > 1).ToList();
            lines[e.Instance] = e.Lines;
        }
        string? differ = null;
        if (data.Exports.Count == 2)
        {
            var (a, b) = (data.Exports[0].LineHashes, data.Exports[1].LineHashes);
            for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
            {
                if (a[i] != b[i])
                {
                    differ = string.Create(Inv, $"the exports of instances {data.Exports[0].Instance} and {data.Exports[1].Instance} differ at seq {i}");
                    break;
                }
            }
        }
        var answeredKeys = data.Records.Where(r => r.IsSubmission && r.Answered && r.Status < 500).Select(r => r.Key).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var unanswered = data.Records.Where(r => r.IsSubmission && r.Key is not null && !answeredKeys.Contains(r.Key)).Select(r => r.Key!).Distinct(StringComparer.Ordinal).ToList();
        return new DataFinding(
            numbers.Count, acked.Count, acked.Count(r => r.Replayed),
            [.. numbersOfKey.Where(kv => kv.Value.Count > 1).Select(kv => $"{kv.Key}: {string.Join(", ", kv.Value)}")],
            [.. keysOfNumber.Where(kv => kv.Value.Count > 1).Select(kv => $"{kv.Key}: {string.Join(", ", kv.Value)}")],
            lost, dupDb, unpublished, dupExport, lines, data.DbSize, differ,
            data.DbSubmitted.Values.Sum(), data.DbSubmitted.Keys.Count(n => !keysOfNumber.ContainsKey(n)),
            unanswered.Count, unanswered.Count(k => data.DbIdempotencyKeys.Contains(k)),
            data.Verify, data.Records.Count(r => r.Extra == "wrong-application" || (r.Endpoint.EndsWith("-wrong-code", StringComparison.Ordinal) && r.Status is >= 200 and < 300)));
    }

    private static StaffFinding Staff(RunData data)
    {
        var staff = data.Records.Where(r => r.Class == Classes.Staff).ToList();
        var round = staff.LastOrDefault(r => r.Endpoint == "round" && r.Status is 200 or 201);
        var dry = staff.LastOrDefault(r => r.Endpoint == "round-dry-run" && r.Status == 200);
        return new StaffFinding(
            staff.Where(r => r.Endpoint == "capacity" && r.Status == 201).Select(r => r.Key).Distinct(StringComparer.Ordinal).Count(),
            data.StaffPlan.Count(e => e == "capacity"), round is not null, dry is not null, round?.LatencyUs / 1000.0, dry?.LatencyUs / 1000.0, round?.Extra);
    }
}
