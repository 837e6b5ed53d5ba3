using System.Globalization;

namespace LaunchDay.Report;

internal enum VerdictKind
{
    Go,
    NoGo,
    /// <summary>The harness did not work: the figures cannot be trusted either way.</summary>
    HarnessBroken,
    /// <summary>An acknowledged application was lost or duplicated, or kq verify found a problem.</summary>
    DataFailure,
}

/// <summary>
/// GO or NO-GO against the SLOs, with every reason. Data failures and a broken harness are kept apart
/// from NO-GO: they are what a CI run fails on, timings never are.
/// </summary>
internal sealed record Verdict(VerdictKind Kind, IReadOnlyList<string> NoGoReasons, IReadOnlyList<string> DataFailures, IReadOnlyList<string> HarnessFailures)
{
    /// <summary>The SLO verdict alone (what the report ends with), whatever else failed.</summary>
    public bool Go => NoGoReasons.Count == 0 && DataFailures.Count == 0 && HarnessFailures.Count == 0;

    /// <summary>0 GO, 1 NO-GO, 2 the harness broke, 3 data lost or duplicated (or the log not intact).</summary>
    public int ExitCode => Kind switch
    {
        VerdictKind.Go => 0,
        VerdictKind.NoGo => 1,
        VerdictKind.HarnessBroken => 2,
        _ => 3,
    };

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Verdict Decide(Findings f, SloConfig slo)
    {
        var noGo = new List<string>();
        var data = new List<string>();
        var harness = new List<string>(f.HarnessProblems);

        foreach (var c in f.Classes)
        {
            var min = slo.MinRequests.GetValueOrDefault(c.Class);
            if (c.Outside.Count < min)
                noGo.Add(string.Create(Inv, $"{Classes.Title(c.Class)}: only {c.Outside.Count} answers outside the fault windows, fewer than the {min} the SLO needs to judge"));
            if (slo.P99Ms.TryGetValue(c.Class, out var limit) && c.Outside.Count > 0 && c.Outside.P99Ms > limit)
                noGo.Add(string.Create(Inv, $"{Classes.Title(c.Class)}: p99 {c.Outside.P99Ms:F0} ms outside the fault windows, over the SLO of {limit:F0} ms"));
        }

        var errors = f.ErrorsOutsideWindows.Count;
        if (errors > slo.MaxErrorsOutsideWindows)
        {
            var byClass = string.Join(", ", f.ErrorsOutsideWindows.GroupBy(r => r.Class).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => string.Create(Inv, $"{g.Key} {g.Count()}")));
            var first = f.ErrorsOutsideWindows[0];
            noGo.Add(string.Create(Inv, $"{errors} failed requests outside the fault windows ({byClass}; at most {slo.MaxErrorsOutsideWindows} allowed); the first: {first.Endpoint} on instance {first.Instance}, {Describe(first.Status)}"));
        }

        foreach (var fault in f.Faults)
        {
            var max = slo.RecoveryMaxSeconds.TryGetValue(fault.Name, out var m) ? m : (double?)null;
            if (fault.RecoveredAfterS is not { } rec)
                noGo.Add($"{fault.Name}: did not recover (no instance said ready and answered a lookup in time)");
            else if (max is { } lim && rec > lim)
                noGo.Add(string.Create(Inv, $"{fault.Name}: recovered after {rec:F1} s, over the SLO of {lim:F0} s"));
            if (slo.Overload is { } overload && overload.Window == fault.Name)
            {
                foreach (var (c, limit) in overload.ServedP99Ms)
                {
                    if (fault.ServedByClass.TryGetValue(c, out var s) && s.Count > 0 && s.P99Ms > limit)
                        noGo.Add(string.Create(Inv, $"{fault.Name}: {Classes.Title(c)} served inside the window waited p99 {s.P99Ms:F0} ms, over the {limit:F0} ms allowed under overload ({fault.ByClass.GetValueOrDefault(c)?.Shed ?? 0} shed): the service queued the excess instead of shedding it"));
                }
            }
            if (fault.ErrorsAfterReady > 0)
                noGo.Add(string.Create(Inv, $"{fault.Name}: {fault.ErrorsAfterReady} requests failed on an instance after its /readyz said ready (ready too early)"));
        }

        foreach (var a in f.Achieved.Where(a => a.Planned >= 10 && a.Fraction < slo.MinAchievedFraction))
            noGo.Add(string.Create(Inv, $"{Classes.Title(a.Class)}: {a.Achieved} of {a.Planned:F0} planned requests went out outside the fault windows ({a.Fraction * 100:F1} %, SLO {slo.MinAchievedFraction * 100:F0} %): the clients waited on slow answers"));

        if (f.Staff.CapacityLoads < f.Staff.CapacityLoadsPlanned)
            noGo.Add(string.Create(Inv, $"staff: {f.Staff.CapacityLoads} of {f.Staff.CapacityLoadsPlanned} capacity loads were acknowledged"));
        if (!f.Staff.RoundDecided) noGo.Add("staff: the allocation round at the peak was not decided (no 201)");

        var d = f.Data;
        foreach (var (inst, list) in d.UnpublishedByInstance.Where(x => x.Value.Count > 0))
            noGo.Add(string.Create(Inv, $"instance {inst}: {list.Count} acknowledged applications are in the database but not in its exported log after the catch-up wait (first {list[0]}): its public log stopped following"));
        foreach (var (inst, lines) in d.ExportLines)
        {
            if (d.DbSize is { } db && lines < db)
                noGo.Add(string.Create(Inv, $"instance {inst}: its export has {lines} entries, the database {db}"));
        }

        if (d.LostFromDatabase.Count > 0)
            data.Add(string.Create(Inv, $"{d.LostFromDatabase.Count} acknowledged applications are not in the log at all (first {d.LostFromDatabase[0]})"));
        if (d.DuplicatedInDatabase.Count > 0)
            data.Add(string.Create(Inv, $"{d.DuplicatedInDatabase.Count} acknowledged applications are in the log more than once (first {d.DuplicatedInDatabase[0]})"));
        foreach (var (inst, list) in d.DuplicatedInExport.Where(x => x.Value.Count > 0))
            data.Add(string.Create(Inv, $"instance {inst}: {list.Count} acknowledged applications appear more than once in its export (first {list[0]})"));
        if (d.KeysWithSeveralNumbers.Count > 0)
            data.Add(string.Create(Inv, $"{d.KeysWithSeveralNumbers.Count} Idempotency-Keys were acknowledged with different numbers (first {d.KeysWithSeveralNumbers[0]})"));
        if (d.NumbersWithSeveralKeys.Count > 0)
            data.Add(string.Create(Inv, $"{d.NumbersWithSeveralKeys.Count} numbers were given to different submissions (first {d.NumbersWithSeveralKeys[0]})"));
        if (d.ExportsDiffer is { } differ) data.Add(differ);
        if (d.WrongAnswers > 0) data.Add(string.Create(Inv, $"{d.WrongAnswers} lookups were answered about another application, or with a wrong access code"));
        foreach (var v in d.Verify.Where(v => !v.Intact))
        {
            var line = $"kq verify of instance {v.Instance}'s export: not INTACT (exit {v.ExitCode.ToString(Inv)}): {v.Problem}";
            // An export that is only shorter than what the instance signed, while the database holds every
            // acknowledged application, is a public log that stopped following: NO-GO, not lost data.
            if (v.OnlyBehind && d.LostFromDatabase.Count == 0) noGo.Add(line);
            else data.Add(line);
        }
        if (d.Verify.Count < 2) harness.Add(string.Create(Inv, $"kq verify ran on {d.Verify.Count} of 2 exports"));
        if (d.ExportLines.Count < 2) harness.Add(string.Create(Inv, $"{d.ExportLines.Count} of 2 exports were downloaded"));

        var kind = data.Count > 0 ? VerdictKind.DataFailure
            : harness.Count > 0 ? VerdictKind.HarnessBroken
            : noGo.Count > 0 ? VerdictKind.NoGo
            : VerdictKind.Go;
        return new Verdict(kind, noGo, data, harness);
    }

    public static string Describe(int status) => status switch
    {
        0 => "no answer (connection failed)",
        -1 => "still unanswered when the run ended",
        _ => "HTTP " + status.ToString(Inv),
    };
}
