using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using KinderQueue.Api.Commands;
using KinderQueue.Api.Endpoints;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.State;
using KinderQueue.Storage.Appending;
using NodaTime;

namespace KinderQueue.Api.Demo;

/// <summary>
/// <c>--demo</c>: fills an empty log with a synthetic region so that the API and the dashboard have
/// something to show. Everything goes in through <see cref="LiveLog"/> commands like any other
/// (the register taken over as <see cref="Actor"/>, the year after it by parents and staff
/// pseudonyms), so the result is an ordinary log that validators can replay: the default criteria,
/// 6 districts, about 100 kindergartens and their seats, 10,000 applications (the register kept
/// before the service imported with its historical registration instants, the rest arriving over
/// the year), claim reviews, a round every month with offers answered, declined, expired and
/// enrolled, a few irregular actions that raise signals and the department's answers
/// (<see cref="DemoYear"/>).
/// The region is a function of <see cref="Seed"/> and the day; access codes and salts are real
/// random secrets. A log that holds anything is left alone.
/// </summary>
public static class DemoRegion
{
    /// <summary>The region's seed ("KQDEMO" and 1): another seed gives another region.</summary>
    public const ulong Seed = 0x4B51_4445_4D4F_0001;

    /// <summary>The actor recorded on every demo entry.</summary>
    public const string Actor = "system:demo";

    /// <summary>The file under the data folder that lists a few demo applications with their access codes.</summary>
    public const string FileName = "demo-applications.txt";

    // Commands in flight at once: enough that every group commit takes hundreds of them.
    private const int Window = 512;

    public static Task PopulateAsync(LiveLog log, IClock clock, string dataDir, ILogger logger, CancellationToken ct) =>
        PopulateAsync(log, clock, dataDir, logger, [], ct);

    /// <param name="addresses">Where the service listens, for the hint at the end (may be empty).</param>
    public static async Task PopulateAsync(LiveLog log, IClock clock, string dataDir, ILogger logger, IReadOnlyCollection<string> addresses, CancellationToken ct)
    {
        var file = Path.GetFullPath(Path.Combine(dataDir, FileName));
        var existing = await log.ReadAsync((_, view) => view.Size, ct);
        if (existing > 0)
        {
            logger.LogInformation("Demo: the log already holds {Size} entries, so nothing was added (--demo fills only an empty log).{Hint}",
                existing, File.Exists(file) ? $" Demo applications of the first fill: {file}" : "");
            LogAddresses(logger, addresses, dataDir, example: null);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var (source, criteriaFile) = DemoCriteria.Load();
        var zone = DateTimeZoneProviders.Tzdb[source.TimeZone];
        // The history ends now and starts a year ago; the last instant is the real one, so no entry claims the future.
        var end = Formats.TruncateToMillisecond(clock.GetCurrentInstant());
        var today = end.InZone(zone).Date;
        var start = today.PlusDays(-365);
        var opening = DemoCriteria.Opening(source, start);
        var withSignals = DemoCriteria.WithSignals(source, start);
        var plan = DemoPlan.Create(opening, start, today, Seed);
        logger.LogInformation("Demo: filling the empty log with a synthetic region and a year of its history, {Start} to {Today} ({Applications} applications, {Kindergartens} kindergartens, seed {Seed:X}, criteria from {File})",
            Formats.Format(start), Formats.Format(today), plan.Applications.Length, plan.Kindergartens.Length, Seed, criteriaFile);
        var counts = new DemoCounts();
        // The texts the department's reviews cite by hash, stored before any review as the staff endpoint stores
        // them: the signals page and the feed serve them beside the log's hashes (a text no entry cites is never served).
        if (log.Store is Storage.Signals.ISignalExplanationStore explanations)
        {
            foreach (var text in DemoReviews.All) await explanations.AddExplanationAsync(DemoSignals.Hash(text), text, end, ct);
        }

        var year = new DemoYear(plan, Seed, end);
        year.PlanYear(opening, withSignals);
        // A LiveLog of its own on the same store, whose clock is the simulated time: the entries carry
        // the instants of the history, and this instance's log catches up with them like with any other writer's.
        var demoClock = new DemoClock(clock, year.Opening);
        await using (var demoLog = new LiveLog(log.Store, demoClock, tailInterval: TimeSpan.FromSeconds(30)))
        {
            await demoLog.StartAsync(ct);
            if (await demoLog.ReadAsync((_, view) => view.Size, ct) > 0)
            {
                logger.LogWarning("Demo: another writer filled the log first; the demo region was not filled");
                return;
            }
            await year.RunAsync(demoLog, demoClock, new DemoSignals(log.Store), (what, subject, r) => counts.Refused(logger, what, subject, r), ct);
        }
        await log.CatchUpAsync(ct);
        await FinishAsync(log, plan, year, counts, dataDir, started, logger, addresses, ct);
    }

    private static async Task FinishAsync(LiveLog log, DemoPlan plan, DemoYear year, DemoCounts counts, string dataDir, long started, ILogger logger,
        IReadOnlyCollection<string> addresses, CancellationToken ct)
    {
        var file = Path.GetFullPath(Path.Combine(dataDir, FileName));
        var round = year.LastRound;
        var report = await log.ReadAsync((state, view) => DemoReport.Create(state, view.Size, plan, round, year.AccessCodes, year.Exceptional), ct);
        var signals = new DemoSignals(log.Store);
        await signals.CatchUpAsync(report.Entries, ct);
        var document = signals.Ledger.Document();
        var elapsed = Stopwatch.GetElapsedTime(started);
        DemoReport.WriteFile(file, report, plan, Seed, year.LastRoundId);
        logger.LogInformation(
            "Demo region filled in {Seconds:F1} s: {Entries} log entries from {Start} to {Today}; {Districts} districts, {Kindergartens} kindergartens, " +
            "{Programs} programs with {Seats} seats for {Year}; {Applications} applications ({Refused} refused), claims {Verified} verified / {Rejected} rejected / {Pending} pending, " +
            "{Withdrawn} withdrawn; {Rounds} rounds, the last {Round}: {Offers} offers, {Waitlisted} waitlisted, {Deferred} deferred, {NoGroup} too young; " +
            "now {Open} offers open, {Accepted} accepted, {Declined} paused after declining or expiring; {Enrolled} enrolled ({Exceptional} by court decision); " +
            "{Signals} signals of {Kinds} kinds ({Explained} explained, {Confirmed} confirmed, {Answered} answered, {WithinHour} within an hour)",
            elapsed.TotalSeconds, report.Entries, Formats.Format(plan.Start), Formats.Format(plan.Today), plan.Districts.Length, plan.Kindergartens.Length,
            report.Programs, report.Seats, plan.Year, report.Applications, counts.RefusedApplications, report.ClaimsVerified, report.ClaimsRejected, report.ClaimsPending,
            report.Withdrawn, year.Rounds, year.LastRoundId ?? "(none)", round?.Offers.Length ?? 0, report.Waitlisted, report.Deferred, report.NoAgeGroup,
            report.OpenOffers, report.Accepted, report.Declined, report.Enrolled, report.Exceptional,
            document.Signals.Length, document.Signals.Select(s => s.Kind).Distinct().Count(), document.Summary.Total.Explained, document.Summary.Total.Confirmed,
            document.Summary.FirstResponse.Responded, document.Summary.FirstResponse.WithinOneHour);
        logger.LogInformation("Demo signals (kind: status, first response): {Signals}", string.Join("; ", document.Signals.Select(s =>
            $"{s.Kind}: {s.Status}{(s.FirstResponse is { } r ? $", {(long)r.TotalMinutes} min" : "")}")));
        if (counts.OtherRefusals > 0) logger.LogWarning("Demo: {Count} demo commands were refused (the first of each kind is logged above)", counts.OtherRefusals);
        logger.LogInformation("Demo: {Count} demo applications with their access codes (synthetic data) are listed in {File}", report.Picks.Length, file);
        foreach (var p in report.Picks.DistinctBy(p => p.Status).Take(4))
            logger.LogInformation("Demo application {Number}, access code {AccessCode}: {Status}", p.Number, p.AccessCode, p.Status);
        LogAddresses(logger, addresses, dataDir, report.Picks.FirstOrDefault(p => p.Status == "waiting") ?? report.Picks.FirstOrDefault());
    }

    private static void LogAddresses(ILogger logger, IReadOnlyCollection<string> addresses, string dataDir, DemoPick? example)
    {
        var address = addresses.FirstOrDefault()?.TrimEnd('/') ?? "<address in the 'Now listening on' line>";
        if (example is not null)
        {
            logger.LogInformation("Demo: look up a position with `curl -s -X POST {Address}/api/v1/public/positions -H 'Content-Type: application/json' " +
                "-d '{{\"number\":\"{Number}\",\"accessCode\":\"{AccessCode}\"}}'`; the same body to {Address}/api/v1/public/receipts gives its receipt; " +
                "{Address}/api/v1/public/dashboard, /api/v1/public/log, /api/v1/public/checkpoint and /api/v1/public/log-key are open to all",
                address, example.Number, example.AccessCode, address, address);
        }
        logger.LogInformation("Demo: open {Address}/swagger for the API and {Address}/readyz for the log size; mint a staff token with " +
            "`dotnet run --project src/KinderQueue.Api -- token --role allocator --data-dir {DataDir}` (in the container: `dotnet KinderQueue.Api.dll token --role allocator`)",
            address, address, Path.GetFullPath(dataDir));
        // Last, so it is the line a new user sees: the site is where a parent would start.
        logger.LogInformation("Demo: open {Address}/ in a browser for the public site (dashboard, \"my place in the queue\" with the numbers and codes above, " +
            "check-it-yourself, how it works)", address);
    }

    private static DelegateCommand Append(LogEvent e) => new DelegateCommand(Actor, null, (_, _) => CommandDecision.Append(e, ApplicationsApi.Appended));

    /// <summary>
    /// Runs commands with up to <see cref="Window"/> in flight. Each is queued in list order from
    /// this one loop, so the log order is the list order, and the writer commits them in large groups.
    /// </summary>
    internal static async Task<CommandResult[]> RunAsync(LiveLog log, List<ICommand> commands, CancellationToken ct)
    {
        var results = new CommandResult[commands.Count];
        var inFlight = new Queue<(int Index, Task<CommandResult> Task)>(Window);
        for (var i = 0; i < commands.Count; i++)
        {
            if (inFlight.Count == Window)
            {
                var (index, task) = inFlight.Dequeue();
                results[index] = await task;
            }
            inFlight.Enqueue((i, log.ExecuteAsync(commands[i], ct)));
        }
        while (inFlight.TryDequeue(out var left)) results[left.Index] = await left.Task;
        return results;
    }

    private static async Task RunCountedAsync(LiveLog log, List<(string Number, ICommand Command)> commands, string what,
        DemoCounts counts, ILogger logger, CancellationToken ct)
    {
        var results = await RunAsync(log, [.. commands.Select(c => c.Command)], ct);
        for (var i = 0; i < results.Length; i++)
        {
            if (!results[i].Accepted) counts.Refused(logger, what, commands[i].Number, results[i]);
        }
    }

    private static string Describe(CommandResult r) =>
        r.Problems.Count == 0 ? r.Refusal?.ToString() ?? "refused" : $"{r.Problems[0].Code}: {r.Problems[0].Message}";

    /// <summary>Refusals are not expected; the first of each kind is logged, the rest counted.</summary>
    private sealed class DemoCounts
    {
        private readonly HashSet<string> _logged = new(StringComparer.Ordinal);

        public int RefusedApplications { get; private set; }
        public int OtherRefusals { get; private set; }

        public void Refused(ILogger logger, string what, string number, CommandResult result)
        {
            if (what == "application") RefusedApplications++;
            else OtherRefusals++;
            if (_logged.Add(what)) logger.LogWarning("Demo: a {What} for {Number} was refused: {Problem}", what, number, Describe(result));
        }
    }
}
