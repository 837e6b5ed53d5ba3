using System.Globalization;

namespace LaunchDay.Report;

/// <summary>The report's content, from the recorded data, the findings and the verdict. No clock, no randomness.</summary>
internal static class ReportBuilder
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly Dictionary<string, string> Colors = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Classes.Write] = "#1f77b4",
        [Classes.Lookup] = "#2ca02c",
        [Classes.Site] = "#ff7f0e",
        [Classes.Export] = "#9467bd",
        [Classes.Staff] = "#8c564b",
    };

    private static string N(double v, string format = "F0") => v.ToString(format, Inv);

    private static string Ms(double v) => v >= 100 ? N(v) : v >= 10 ? N(v, "F1") : N(v, "F2");

    public static (string Title, List<Block> Blocks) Build(RunData data, Findings f, Verdict v, SloConfig slo)
    {
        var info = data.Info;
        var blocks = new List<Block>();
        var title = $"Launch-day stress test: {info.Run}";
        blocks.Add(new Paragraph($"**Verdict: {(v.Go ? "GO" : "NO-GO")}**" +
            (v.DataFailures.Count > 0 ? " — **data lost or duplicated**" : "") + (v.HarnessFailures.Count > 0 ? " — **the harness broke**" : "") +
            " (reasons at the end). Mode `" + info.Mode + "`, commit `" + info.Commit + "`, command `" + info.Command + "`."));

        Scenario(blocks, data, slo);
        Throughput(blocks, data, f, slo);
        Latency(blocks, data, f, slo);
        Faults(blocks, data, f, slo);
        Errors(blocks, data, f);
        DataChecks(blocks, f);
        Machine(blocks, data, f, slo);
        Conclusion(blocks, v);
        return (title, blocks);
    }

    // ---------------------------------------------------------------------------------------------

    private static void Scenario(List<Block> blocks, RunData data, SloConfig slo)
    {
        var i = data.Info;
        blocks.Add(new Heading(2, "What ran"));
        var peaks = i.PeakPerMinute;
        blocks.Add(new Paragraph(string.Create(Inv,
            $"The first hours of a campaign compressed into {i.DurationSeconds} s: {i.RampPercent.Count} phases of {i.PhaseSeconds} s ramping to the peak " +
            $"({string.Join(", ", i.RampPercent.Select(r => r + " %"))} of it), against two instances (a and b, both on 127.0.0.1) on one PostgreSQL. " +
            $"Each wrk process targets one instance; every class of load is split half and half. The region: {i.Districts} districts, {i.Kindergartens} kindergartens, " +
            $"criteria in force from {i.Today}, and a queue of {i.Seeded} applications submitted before the campaign (the lookups look those up).")));
        blocks.Add(new Table(["load", "peak per minute (both instances)", "how"],
        [
            ["applications", N(peaks.GetValueOrDefault("applications")), string.Create(Inv, $"POST /api/v1/applications, {100 - i.OperatorSharePercent} % parents (portal), {i.OperatorSharePercent} % service-centre operators; every request a new, valid application with its own Idempotency-Key; no answer or a 5xx: retried with the same key")],
            ["lookups", N(peaks.GetValueOrDefault("lookups")), string.Create(Inv, $"POST /api/v1/public/positions, {i.ReceiptSharePercent} % /receipts; 1 % with a mistyped access code (404 expected)")],
            ["site visits", N(peaks.GetValueOrDefault("site_visits")), "first visits of the dashboard (page, style sheet, icon, scripts, dashboard and private-reads JSON) or of a kindergarten's page"],
            ["log downloads", N(peaks.GetValueOrDefault("exports")), "validators: the checkpoint, then GET /api/v1/public/log (the whole NDJSON export)"],
            ["staff", "timetable", "capacity loads (a dry run, then the load) early and mid-campaign; at the peak the allocation round: POST /api/v1/rounds with dryRun=true, then the real round"],
        ]));
        var faults = data.Events.Where(e => e.Kind == "fault").ToList();
        blocks.Add(new Paragraph("Faults, each in a marked window from its injection until the affected instances said ready and answered a lookup (plus " +
            N(slo.WindowGraceSeconds, "0.#") + " s of grace); a request belongs to a window when it was in flight at any moment of it:"));
        blocks.Add(new Bullets(
        [
            .. faults.Select(e => string.Create(Inv, $"**{e.Name}** at {Analysis.Rel(e.StartUs, i):F1} s: ") + e.Name switch
            {
                "kill-a" => "`kill -9` of instance a, restarted a second later (a supervisor's restart delay)",
                "pg-restart" => "`pg_ctl restart -m immediate` as user postgres (no clean shutdown)",
                "burst" => string.Create(Inv, $"a burst beyond capacity: {i.BurstConnections} more connections submitting applications as fast as answers come, for {i.BurstSeconds} s") +
                    (i.Admission == "off" ? "; **admission control off** (`--no-admission`: every concurrency limit 0)" : ""),
                _ => e.Name,
            }),
        ]));
        blocks.Add(new Paragraph(string.Create(Inv,
            $"Machine: {i.Cores} cores shared by wrk, both instances, PostgreSQL and anything else running; {i.Wrk}; {i.Postgres}.")));
    }

    private static IEnumerable<Band> WindowBands(RunData data, SloConfig slo) =>
        Analysis.Windows(data.Events, slo).Select(w => new Band(Analysis.Rel(w.Start, data.Info), Analysis.Rel(w.End, data.Info), w.Name, "#f4a6a6"));

    private static List<Band> Markers(RunData data)
    {
        var i = data.Info;
        var m = new List<Band>();
        for (var p = 1; p < i.RampPercent.Count; p++) m.Add(new Band(p * i.PhaseSeconds, p * i.PhaseSeconds, "P" + (p + 1).ToString(Inv), "#999999"));
        var round = data.Records.FirstOrDefault(r => r.Endpoint == "round");
        if (round is not null) m.Add(new Band(Analysis.Rel(round.StartUs, i), 0, "round", "#1f4fb4"));
        return m;
    }

    private static (double Min, double Max, double Width) Axis(RunData data)
    {
        var i = data.Info;
        var last = data.Records.Where(r => !r.IsProbe && r.StartUs >= i.T0Us).Select(r => Analysis.Rel(r.EndUs, i)).DefaultIfEmpty(i.DurationSeconds).Max();
        var max = Math.Max(i.DurationSeconds, Math.Ceiling(last));
        var width = Math.Max(1, Math.Ceiling(max / 150.0));
        return (0, max, width);
    }

    private static void Throughput(List<Block> blocks, RunData data, Findings f, SloConfig slo)
    {
        var i = data.Info;
        var (min, max, w) = Axis(data);
        var buckets = (int)Math.Ceiling((max - min) / w);
        var campaign = data.Records.Where(r => !r.IsProbe && r.StartUs >= i.T0Us).ToList();
        var series = new List<Series>();
        foreach (var c in Classes.Judged.Where(c => c != Classes.Staff))
        {
            var counts = new double[buckets];
            foreach (var r in campaign.Where(r => r.Class == c && r.Answered))
            {
                var b = (int)Math.Floor(Analysis.Rel(r.EndUs, i) / w);
                if (b >= 0 && b < buckets) counts[b]++;
            }
            series.Add(new Series(c + " answers/s", Colors[c], [.. counts.Select((n, k) => ((k + 0.5) * w, n / w))]));
        }
        var errors = new double[buckets];
        foreach (var r in campaign.Where(r => Analysis.IsError(f.Outcomes[r])))
        {
            var b = (int)Math.Floor(Analysis.Rel(r.EndUs, i) / w);
            if (b >= 0 && b < buckets) errors[b]++;
        }
        series.Add(new Series("failed/s", "#d62728", [.. errors.Select((n, k) => ((k + 0.5) * w, n / w))], Dashed: true));
        blocks.Add(new Heading(2, "Throughput"));
        blocks.Add(new Figure(Charts.Line("Answers per second by class (by completion time), and failed requests", "per second", min, max, series,
            [.. WindowBands(data, slo)], Markers(data)), string.Create(Inv, $"Throughput in {w:0.#}-second buckets; fault windows shaded, phases P2… and the round marked."), "throughput.svg"));
        blocks.Add(new Paragraph("wrk has no rate or ramp of its own (it is closed-loop: a connection sends its next request when the answer arrived). " +
            "The scripts pace each connection to its share of the phase's rate and record how late each request went out; a connection more than a second behind " +
            "drops the slots it missed instead of bursting. So a slow service shows as fewer requests than planned (below) and as lag, not as a queue the client builds."));
        blocks.Add(new Table(["class", "planned outside windows", "sent", "share"],
            [.. f.Achieved.Select(a => (IReadOnlyList<string>)[Classes.Title(a.Class), N(a.Planned), N(a.Achieved), N(a.Fraction * 100, "F1") + " %"])]));
        var header = new List<string> { "phase", "seconds", "ramp", "outside windows (s)" };
        foreach (var c in new[] { Classes.Write, Classes.Lookup, Classes.Site, Classes.Export }) header.Add(c + ": planned / sent per min, p99 ms");
        blocks.Add(new Table(header, [.. f.Phases.Select(p =>
        {
            var row = new List<string> { "P" + p.Phase.ToString(Inv), N(p.StartS) + "–" + N(p.EndS), p.RampPercent.ToString(Inv) + " %", N(p.OutsideSeconds, "F1") };
            foreach (var c in new[] { Classes.Write, Classes.Lookup, Classes.Site, Classes.Export })
            {
                var x = p.ByClass.TryGetValue(c, out var v) ? v : (0, 0, 0, 0);
                // A phase that lies (almost) all inside fault windows has no steady-state rate to show.
                row.Add(p.OutsideSeconds < 1 ? $"{N(x.PlannedPerMin)} / –, –" : $"{N(x.PlannedPerMin)} / {N(x.AchievedPerMin)}, {(x.Count > 0 ? Ms(x.P99Ms) : "–")}");
            }
            return (IReadOnlyList<string>)row;
        })]));
        blocks.Add(new Paragraph("Site and log download rates count visits and downloads (a visit is several requests), not requests; figures outside the fault windows only."));
    }

    private static void Latency(List<Block> blocks, RunData data, Findings f, SloConfig slo)
    {
        var i = data.Info;
        var (min, max, w) = Axis(data);
        var buckets = (int)Math.Ceiling((max - min) / w);
        var campaign = data.Records.Where(r => !r.IsProbe && r.Answered && r.StartUs >= i.T0Us).ToList();
        var series = new List<Series>();
        foreach (var c in Classes.Judged.Where(c => c != Classes.Staff))
        {
            var lists = Enumerable.Range(0, buckets).Select(_ => new List<double>()).ToArray();
            foreach (var r in campaign.Where(r => r.Class == c))
            {
                var b = (int)Math.Floor(Analysis.Rel(r.StartUs, i) / w);
                if (b >= 0 && b < buckets) lists[b].Add(r.LatencyUs / 1000.0);
            }
            series.Add(new Series(c + " p99", Colors[c], [.. lists.Select((l, k) =>
            {
                l.Sort();
                return ((k + 0.5) * w, l.Count == 0 ? double.NaN : Analysis.Percentile(l, 99));
            })]));
            series.Add(new Series(c + " p50", Colors[c], [.. lists.Select((l, k) => ((k + 0.5) * w, l.Count == 0 ? double.NaN : Analysis.Percentile(l, 50)))], Dashed: true));
        }
        blocks.Add(new Heading(2, "Latency"));
        blocks.Add(new Figure(Charts.Line("Latency by class: p99 (solid) and p50 (dashed) of the requests sent in each bucket", "milliseconds (log)", min, max, series,
            [.. WindowBands(data, slo)], Markers(data), logY: true), string.Create(Inv, $"Latency per {w:0.#}-second bucket, from sending the request to the complete answer, as wrk's Lua hooks saw it."), "latency.svg"));
        blocks.Add(new Paragraph("Per class, over the answers to requests sent outside every fault window (the steady state, the allocation round included). " +
            "The SLOs (`loadtest/launch-day/slo.json`) judge these; what happened inside the windows is below."));
        blocks.Add(new Table(["class", "answers", "p50 ms", "p90 ms", "p99 ms", "max ms", "SLO p99 ms", "failed", "in windows: answers / p99 ms / failed"],
            [.. f.Classes.Select(c => (IReadOnlyList<string>)
            [
                Classes.Title(c.Class), N(c.Outside.Count), Ms(c.Outside.P50Ms), Ms(c.Outside.P90Ms), Ms(c.Outside.P99Ms), Ms(c.Outside.MaxMs),
                slo.P99Ms.TryGetValue(c.Class, out var l) ? N(l) : "–", N(c.CountsOutside.Errors),
                $"{N(c.Inside.Count)} / {(c.Inside.Count > 0 ? Ms(c.Inside.P99Ms) : "–")} / {N(c.CountsInside.Errors)}",
            ])]));
        blocks.Add(new Table(["class", "endpoint", "answers outside", "p50 ms", "p99 ms", "max ms", "failed outside", "in windows", "failed in windows"],
            [.. f.Endpoints.Select(e => (IReadOnlyList<string>)
            [
                e.Class, e.Endpoint, N(e.Outside.Count), Ms(e.Outside.P50Ms), Ms(e.Outside.P99Ms), Ms(e.Outside.MaxMs), N(e.ErrorsOutside), N(e.Inside), N(e.ErrorsInside),
            ])]));
        blocks.Add(new Paragraph(string.Create(Inv,
            $"These are per-request latencies as measured, not corrected for coordinated omission (wrk's own summary in `wrk/*.out` is corrected by wrk 4.1). Of {f.Lag.Paced} paced requests outside the windows, {f.Lag.LateOver10Ms} went out more than 10 ms after their slot (p99 lag {Ms(f.Lag.P99Ms)} ms): ") +
            "a late request means its connection was still waiting for an earlier answer, and the latency a client arriving on time would have seen is that lag plus the latency."));
        var s = f.Staff;
        blocks.Add(new Paragraph(string.Create(Inv,
            $"Staff: {s.CapacityLoads} of {s.CapacityLoadsPlanned} capacity loads acknowledged; the round's dry run {(s.RoundDryRun ? "answered in " + Ms(s.RoundDryRunMs ?? 0) + " ms" : "did not answer 200")}, " +
            $"the round {(s.RoundDecided ? "was decided in " + Ms(s.RoundMs ?? 0) + " ms" + (s.RoundOffers is null ? "" : " (" + s.RoundOffers.Replace("=", " ", StringComparison.Ordinal) + ")") : "was **not** decided")}.")));
    }

    private static void Faults(List<Block> blocks, RunData data, Findings f, SloConfig slo)
    {
        blocks.Add(new Heading(2, "Faults and recovery"));
        blocks.Add(new Paragraph("Recovery: from the injection (the burst: from its end) until every affected instance's `/readyz` said ready and a position lookup on it answered 200, " +
            "probed every 100 ms. Writes resumed: until the first 201 to a submission sent to that instance after the same moment. Failed: 5xx (other than the allowed try-again), " +
            "no answer (connection failed or reset), still unanswered at the end, 429, or a 404 for something that exists."));
        blocks.Add(new Table(["fault", "window (s)", "ready after", "recovered after", "SLO", "writes resumed after", "failed after ready", "notes"],
            [.. f.Faults.Select(x => (IReadOnlyList<string>)
            [
                x.Name, $"{N(x.StartS, "F1")}–{N(x.EndS, "F1")}",
                x.ReadyAfterS is { } r ? N(r, "F2") + " s" : "never", x.RecoveredAfterS is { } rc ? N(rc, "F2") + " s" : "**never**",
                slo.RecoveryMaxSeconds.TryGetValue(x.Name, out var m) ? N(m) + " s" : "–",
                string.Join(", ", x.WritesResumedAfterS.Select(kv => $"{kv.Key}: {(kv.Value is { } s ? N(s, "F2") + " s" : "not")}")),
                N(x.ErrorsAfterReady), x.Details,
            ])]));
        var rows = new List<IReadOnlyList<string>>();
        foreach (var x in f.Faults)
        {
            foreach (var (c, n) in x.ByClass)
            {
                var served = x.ServedByClass.GetValueOrDefault(c) ?? LatencyStats.Empty;
                var limit = slo.Overload is { } o && o.Window == x.Name && o.ServedP99Ms.TryGetValue(c, out var l) ? " (≤ " + N(l) + ")" : "";
                rows.Add([x.Name, c, N(n.Requests), N(n.ServerErrors), N(n.Transport), N(n.RetriedOk), N(n.InFlight), N(n.Shed), N(n.NotFound), N(n.RetryLater),
                    served.Count == 0 ? "–" : N(served.P99Ms, "F1") + " ms" + limit]);
            }
        }
        blocks.Add(new Paragraph("What the clients saw inside each window (shed: 429, or 503 `service.overloaded` from admission control, which did nothing and said when to come back; " +
            "served p99: over the answers that succeeded" + (slo.Overload is { } ov ? $"; inside the {ov.Window} window it is judged: beyond capacity the excess must be shed, not queued" : "") + "):"));
        blocks.Add(new Table(["window", "class", "requests", "5xx", "no answer", "no answer, retry ok", "unanswered at end", "shed", "404", "try-again 503", "served p99"], rows));
        var i = data.Info;
        var (min, max, _) = Axis(data);
        foreach (var inst in new[] { "a", "b" })
        {
            var samples = data.Monitor.Where(m => m.Instance == inst).ToList();
            static double V(long? v) => v is { } x && x >= 0 ? x : double.NaN;
            var series = new List<Series>
            {
                new("database", "#444444", [.. samples.Select(m => (Analysis.Rel(m.TimeUs, i), V(m.DbSize)))]),
                new("readyz logSize", "#1f77b4", [.. samples.Select(m => (Analysis.Rel(m.TimeUs, i), V(m.LogSize)))]),
                new("readyz publicLogSize", "#2ca02c", [.. samples.Select(m => (Analysis.Rel(m.TimeUs, i), V(m.PublicLogSize)))], Dashed: true),
                new("export (X-Log-Size)", "#d62728", [.. samples.Select(m => (Analysis.Rel(m.TimeUs, i), V(m.ExportSize)))]),
                new("latest checkpoint", "#9467bd", [.. samples.Select(m => (Analysis.Rel(m.TimeUs, i), V(m.CheckpointSize)))], Dashed: true),
            };
            blocks.Add(new Figure(Charts.Line($"Instance {inst}: the log as the database, /readyz, the export and the checkpoints see it", "entries", min, max, series,
                [.. WindowBands(data, slo)], Markers(data)),
                $"Instance {inst}, sampled about once a second (a gap: no answer). A line that stays flat while the database grows is a part of the instance that stopped following the log.",
                $"log-size-{inst}.svg"));
        }
    }

    private static void Errors(List<Block> blocks, RunData data, Findings f)
    {
        blocks.Add(new Heading(2, "Failures outside the fault windows"));
        if (f.RetriedOkOutsideWindows > 0)
            blocks.Add(new Paragraph(string.Create(Inv, $"{f.RetriedOkOutsideWindows} requests outside the windows got no answer on a reused connection that turned out dead (closed by an instance that was killed or restarted earlier) and succeeded when retried at once on a new connection, as a browser retries; they are counted, not failed.")));
        if (f.ErrorsOutsideWindows.Count == 0)
        {
            blocks.Add(new Paragraph("None."));
            return;
        }
        blocks.Add(new Paragraph(string.Create(Inv, $"{f.ErrorsOutsideWindows.Count} requests failed outside every window; the first 20:")));
        blocks.Add(new Table(["sent at (s)", "instance", "class", "endpoint", "outcome", "latency ms", "attempt"],
            [.. f.ErrorsOutsideWindows.Take(20).Select(r => (IReadOnlyList<string>)
            [
                N(Analysis.Rel(r.StartUs, data.Info), "F3"), r.Instance, r.Class, r.Endpoint, Verdict.Describe(r.Status) + (r.Extra is { } e && e.Length < 40 && !r.IsSubmission ? " " + e : ""),
                Ms(r.LatencyUs / 1000.0), N(r.Attempt),
            ])]));
    }

    private static void DataChecks(List<Block> blocks, Findings f)
    {
        var d = f.Data;
        blocks.Add(new Heading(2, "Data: every acknowledged application exactly once"));
        var items = new List<string>
        {
            string.Create(Inv, $"{d.AcknowledgedNumbers} applications acknowledged with 201 and a number (the seeded queue, the campaign and the burst; {d.AcknowledgedResponses} 201 answers, {d.Replays} of them replays of a retried key)."),
            string.Create(Inv, $"In the database's log: {d.DbSubmissions} submissions; {d.LostFromDatabase.Count} acknowledged ones missing, {d.DuplicatedInDatabase.Count} more than once."),
        };
        foreach (var (inst, lines) in d.ExportLines)
        {
            items.Add(string.Create(Inv, $"Instance {inst}'s export: {lines} entries (database: {(d.DbSize is { } s ? s.ToString(Inv) : "?")}); acknowledged applications missing from it: {d.UnpublishedByInstance.GetValueOrDefault(inst)?.Count ?? 0}, more than once: {d.DuplicatedInExport.GetValueOrDefault(inst)?.Count ?? 0}."));
        }
        items.Add(d.ExportsDiffer ?? "The two instances' exports are identical where both have the entry.");
        items.Add(string.Create(Inv, $"Idempotency: {d.KeysWithSeveralNumbers.Count} keys acknowledged with two numbers, {d.NumbersWithSeveralKeys.Count} numbers given to two submissions."));
        items.Add(string.Create(Inv, $"{d.UnansweredKeys} submissions never got an answer after all their attempts; {d.UnansweredButCommitted} of them were committed all the same (their key's first response is stored), so a retry with the key would return the number. " +
            $"{d.InDbNotAcknowledged} submissions in the log were never acknowledged to their client."));
        foreach (var v in d.Verify)
            items.Add(string.Create(Inv, $"`kq verify` of instance {v.Instance}'s export (with its log key, checkpoint and dashboard): **{(v.Intact ? "INTACT" : "NOT INTACT")}**, {v.Size} entries{(v.Problem is null ? "" : ": " + v.Problem)}."));
        if (d.WrongAnswers > 0) items.Add(string.Create(Inv, $"**{d.WrongAnswers} lookups answered about another application or accepted a wrong access code.**"));
        blocks.Add(new Bullets(items));
    }

    private static void Machine(List<Block> blocks, RunData data, Findings f, SloConfig slo)
    {
        var i = data.Info;
        blocks.Add(new Heading(2, "The machine and the load generator"));
        if (data.Cpu.Count > 0)
        {
            var (min, max, _) = Axis(data);
            var series = new List<Series>
            {
                new("machine", "#444444", [.. data.Cpu.Select(c => (Analysis.Rel(c.TimeUs, i), c.Machine))]),
                new("instance a", "#1f77b4", [.. data.Cpu.Select(c => (Analysis.Rel(c.TimeUs, i), c.InstanceA))]),
                new("instance b", "#2ca02c", [.. data.Cpu.Select(c => (Analysis.Rel(c.TimeUs, i), c.InstanceB))]),
                new("PostgreSQL", "#9467bd", [.. data.Cpu.Select(c => (Analysis.Rel(c.TimeUs, i), c.Postgres))]),
                new("wrk", "#ff7f0e", [.. data.Cpu.Select(c => (Analysis.Rel(c.TimeUs, i), c.Wrk))]),
            };
            blocks.Add(new Figure(Charts.Line("CPU use in cores", "cores", min, max, series, [.. WindowBands(data, slo)], Markers(data)),
                string.Create(Inv, $"From /proc, about once a second; the machine has {i.Cores} cores, and what is neither an instance, PostgreSQL nor wrk is someone else's."), "cpu.svg"));
        }
        blocks.Add(new Paragraph("wrk's own count of answers per process against the per-request records (they must agree: one line per answer), and its socket errors:"));
        blocks.Add(new Table(["wrk process", "answers (wrk)", "answers (records)", "no answer (records)", "connect / read / write errors (wrk)"],
            [.. f.WrkChecks.Select(w =>
            {
                var s = data.Wrk.First(x => x.Process == w.Process);
                return (IReadOnlyList<string>)[w.Process, N(w.WrkRequests), N(w.RecordedAnswers), N(w.RecordedFailures), $"{N(s.Connect)} / {N(s.Read)} / {N(s.Write)}"];
            })]));
        var plan = data.Plan.Select(p => (IReadOnlyList<string>)[p.Process, p.Instance, p.Class, N(p.Connections), string.Join(", ", p.RatesPerMinute.Select(r => N(r, "0.#")))]).ToList();
        blocks.Add(new Paragraph("Each wrk process has one connection per thread, so that each request's answer is matched to it (`loadtest/launch-day/lua/kq.lua`); its rates per phase (per minute):"));
        blocks.Add(new Table(["process", "instance", "class", "connections", "rate per phase (per min)"], plan));
    }

    private static void Conclusion(List<Block> blocks, Verdict v)
    {
        blocks.Add(new Heading(2, v.Go ? "Verdict: GO" : "Verdict: NO-GO"));
        if (v.DataFailures.Count > 0)
        {
            blocks.Add(new Paragraph("**Data lost or duplicated** (a CI run fails on these):"));
            blocks.Add(new Bullets(v.DataFailures));
        }
        if (v.HarnessFailures.Count > 0)
        {
            blocks.Add(new Paragraph("**The harness broke** (the figures above cannot be trusted; a CI run fails on these):"));
            blocks.Add(new Bullets(v.HarnessFailures));
        }
        if (v.NoGoReasons.Count > 0)
        {
            blocks.Add(new Paragraph("Against the SLOs:"));
            blocks.Add(new Bullets(v.NoGoReasons));
        }
        if (v.Go) blocks.Add(new Paragraph("Every SLO held: latencies, no failure outside the fault windows, recovery times, the planned load sent, every acknowledged application exactly once in the log, and the log INTACT."));
        blocks.Add(new Paragraph($"**{(v.Go ? "GO" : "NO-GO")}**"));
    }
}
