namespace LaunchDay.Report;

/// <summary>
/// One request as a wrk thread recorded it (loadtest/launch-day/lua/kq.lua describes every field).
/// Times are wall-clock microseconds; latency is from sending to the complete answer.
/// </summary>
internal sealed record RequestRecord(
    long StartUs,
    long LatencyUs,
    int Status,
    string Class,
    string Endpoint,
    string Instance,
    int Attempt,
    string? Key,
    string? Number,
    long? Seq,
    string? Extra,
    long LagUs,
    long Bytes,
    string? RetryAfter,
    bool Replayed,
    string Process,
    int Thread = 0)
{
    public long EndUs => StartUs + Math.Max(0, LatencyUs);

    public bool Answered => Status > 0;

    public bool IsProbe => Class == Classes.Probe;

    public bool IsSubmission => Endpoint.StartsWith("apply-", StringComparison.Ordinal);
}

/// <summary>The endpoint classes the SLOs speak of, in the order the report lists them.</summary>
internal static class Classes
{
    public const string Write = "write";
    public const string Lookup = "lookup";
    public const string Site = "site";
    public const string Export = "export";
    public const string Staff = "staff";
    public const string Probe = "probe";

    public static readonly IReadOnlyList<string> Judged = [Write, Lookup, Site, Export, Staff];

    public static string Title(string c) => c switch
    {
        Write => "writes (applications)",
        Lookup => "lookups (position, receipt)",
        Site => "dashboard and site",
        Export => "export (log download)",
        Staff => "staff (capacity, round)",
        _ => c,
    };
}

/// <summary>A timeline event of run.sh: a fault with its window, or a marker.</summary>
internal sealed record TimelineEvent(string Kind, string Name, long StartUs, long EndUs, IReadOnlyDictionary<string, string> Details)
{
    public long? DetailUs(string key) =>
        Details.TryGetValue(key, out var v) && long.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var us) && us > 0 ? us : null;
}

/// <summary>One wrk process's planned rates (per minute, per phase) and connections.</summary>
internal sealed record PlanEntry(string Process, string Class, string Instance, IReadOnlyList<double> RatesPerMinute, int Connections);

/// <summary>
/// A once-a-second sample of an instance: its /readyz (logSize, publicLogSize), the size its export is
/// cut at (X-Log-Size), its latest checkpoint's size, and the database's log size.
/// </summary>
internal sealed record MonitorSample(long TimeUs, string Instance, int Http, string Status, long? LogSize, long? PublicLogSize, long? DbSize,
    long? ExportSize = null, long? CheckpointSize = null);

/// <summary>CPU use in cores over the second before the sample.</summary>
internal sealed record CpuSample(long TimeUs, double Machine, double InstanceA, double InstanceB, double Postgres, double Wrk);

/// <summary>wrk's own summary of one process (its done() hook): a cross-check of the per-request lines.</summary>
internal sealed record WrkSummary(string Process, long DurationUs, long Requests, long Bytes, long Connect, long Read, long Write, long StatusErrors, long Timeouts, long P50Us, long P99Us, long MaxUs);

/// <summary>What run.sh wrote about the run (run.json).</summary>
internal sealed record RunInfo(
    string Run,
    string Mode,
    long T0Us,
    int PhaseSeconds,
    int DurationSeconds,
    IReadOnlyList<int> RampPercent,
    int Kindergartens,
    int Districts,
    int SeedApplications,
    int Seeded,
    long SetupLogSize,
    IReadOnlyDictionary<string, double> PeakPerMinute,
    int OperatorSharePercent,
    int ReceiptSharePercent,
    int BurstConnections,
    int BurstSeconds,
    string Today,
    string RoundStart,
    string Command,
    string Commit,
    string Wrk,
    string Postgres,
    int Cores,
    IReadOnlyList<string>? PlannedFaults = null,
    string Admission = "on");

/// <summary>kq verify's answer for one instance's export.</summary>
internal sealed record VerifyResult(string Instance, int ExitCode, bool Intact, long Size, string? Problem, string? Code = null)
{
    /// <summary>
    /// kq verify's finding is only that the export is shorter than what the same instance signed or
    /// published (a public log that stopped following), not that any entry is wrong.
    /// </summary>
    public bool OnlyBehind => !Intact && Code is "checkpoint.beyond-log" or "statistics.beyond-log";
}

/// <summary>One instance's NDJSON export: its lines' count, the size header, and each submitted number's count.</summary>
internal sealed record ExportData(string Instance, long Lines, long? SizeHeader, IReadOnlyDictionary<string, int> Submitted, IReadOnlyList<string> LineHashes);

/// <summary>Everything recorded in a run folder, and what could not be read.</summary>
internal sealed class RunData
{
    public required RunInfo Info { get; init; }
    public required IReadOnlyList<RequestRecord> Records { get; init; }
    public required IReadOnlyList<TimelineEvent> Events { get; init; }
    public required IReadOnlyList<PlanEntry> Plan { get; init; }
    public required IReadOnlyList<MonitorSample> Monitor { get; init; }
    public required IReadOnlyList<CpuSample> Cpu { get; init; }
    public required IReadOnlyList<WrkSummary> Wrk { get; init; }
    public required IReadOnlyList<ExportData> Exports { get; init; }
    public required IReadOnlyDictionary<string, int> DbSubmitted { get; init; }
    public required long? DbSize { get; init; }
    /// <summary>Idempotency keys (the client's part, after the actor) the database stored a first response for.</summary>
    public required IReadOnlySet<string> DbIdempotencyKeys { get; init; }
    public required IReadOnlyList<VerifyResult> Verify { get; init; }
    /// <summary>The endpoints of the staff timetable (staff/actions.tsv), in order.</summary>
    public required IReadOnlyList<string> StaffPlan { get; init; }
    /// <summary>Files missing or malformed: the harness did not record what it should have.</summary>
    public required IReadOnlyList<string> Problems { get; init; }
}
