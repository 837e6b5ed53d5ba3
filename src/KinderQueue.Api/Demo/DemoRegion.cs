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
/// (actor <see cref="Actor"/>), so the result is an ordinary log that validators can replay:
/// the default criteria, 6 districts, about 100 kindergartens and their seats, about 10,000
/// applications (imported with their historical registration instants), claim reviews, one
/// allocation round, offer responses, enrolments and one court-ordered enrolment.
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
        var today = clock.GetCurrentInstant().InZone(zone).Date;
        var criteria = source with { Version = $"demo-{today.Year}", EffectiveFrom = today };
        var plan = DemoPlan.Create(criteria, today, Seed);
        logger.LogInformation("Demo: filling the empty log with a synthetic region ({Applications} applications, {Kindergartens} kindergartens, seed {Seed:X}, criteria from {File})",
            plan.Applications.Length, plan.Kindergartens.Length, Seed, criteriaFile);
        var counts = new DemoCounts();

        // 1. The register: criteria, districts, kindergartens, seats. Nothing else can follow if this fails.
        var register = new List<ICommand> { Append(new CriteriaPublished(criteria)) };
        register.AddRange(plan.Districts.Select(d => Append(new DistrictRegistered(d.Id, d.Name))));
        register.AddRange(plan.Kindergartens.Select(k => Append(new KindergartenRegistered(k.Id, k.Name, k.District, k.Catchment))));
        register.AddRange(plan.CapacityLoads.Select(c => Append(c)));
        var registered = await RunAsync(log, register, ct);
        if (registered.FirstOrDefault(r => !r.Accepted) is { } refused)
        {
            // Most likely another instance started with --demo at the same moment and got there first.
            logger.LogWarning("Demo: the register was refused ({Problem}); the demo region was not filled", Describe(refused));
            return;
        }

        // 2. Applications, imported in order of registration with their original instants.
        var submissions = await RunAsync(log, [.. plan.Applications.Select(a =>
            new SubmitApplication(Actor, null, a.Input, a.Number, Secrets.NewAccessCode(), Secrets.NewSalt(), owner: null))], ct);
        var accessCodes = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < submissions.Length; i++)
        {
            if (!submissions[i].Accepted)
            {
                counts.Refused(logger, "application", plan.Applications[i].Number, submissions[i]);
                continue;
            }
            var response = JsonSerializer.Deserialize<SubmissionResponse>(submissions[i].Response!, JsonSerializerOptions.Web)!;
            accessCodes[response.Number] = response.AccessCode;
        }
        var submittedAt = Stopwatch.GetTimestamp();

        // 3. The department reviews most claims; a few parents withdraw.
        var inLog = plan.Applications.Where(a => accessCodes.ContainsKey(a.Number)).ToList();
        List<(string Number, ICommand Command)> reviews = [.. inLog.SelectMany(a => a.Reviews.Select(r => (a.Number, Append(new ClaimReviewed(a.Number, r.Claim, r.Verified, r.Reason)))))];
        List<(string Number, ICommand Command)> withdrawals = [.. inLog.Where(a => a.WithdrawalReason is not null).Select(a => (a.Number, Append(new ApplicationWithdrawn(a.Number, a.WithdrawalReason!))))];
        await RunCountedAsync(log, reviews, "claim review", counts, logger, ct);
        await RunCountedAsync(log, withdrawals, "withdrawal", counts, logger, ct);

        // 4. One allocation round for seats from today, decided by the engine like POST /rounds.
        var roundId = $"demo-{Formats.Format(today)}";
        AllocationResult? round = null;
        var decided = await log.ExecuteAsync(new DelegateCommand(Actor, null, (state, now) =>
        {
            var outcome = Rounds.Decide(state, roundId, state.LocalDate(now), today);
            if (!outcome.Success) return CommandDecision.Refuse(Refusal.Invalid, outcome.Problems);
            var result = outcome.Value!.Result;
            round = result;
            return CommandDecision.Append(outcome.Value.Decision, seq => StoredJsonResult.Serialize(RoundResponse.From(seq, result, roundId)));
        }), ct);
        if (!decided.Accepted || round is null)
        {
            logger.LogWarning("Demo: the allocation round was refused ({Problem}); the region has applications but no offers", Describe(decided));
            await FinishAsync(log, plan, null, accessCodes, null, counts, dataDir, started, submittedAt, logger, addresses, ct);
            return;
        }

        // 5. Parents answer (about 60 % accept, 15 % decline, the rest have not answered yet);
        // about half of the acceptances are already enrolments.
        var answers = new SplitMix64(Seed).Fork(4);
        var accepted = new List<string>();
        var responses = new List<(string Number, ICommand Command)>();
        foreach (var offer in round.Offers.OrderBy(o => o.Number, StringComparer.Ordinal))
        {
            var draw = answers.Below(100);
            if (draw >= 75) continue;
            if (draw < 60) accepted.Add(offer.Number);
            responses.Add((offer.Number, Append(new OfferResponded(offer.Number, draw < 60))));
        }
        await RunCountedAsync(log, responses, "offer response", counts, logger, ct);
        List<(string Number, ICommand Command)> enrolments = [.. accepted.Where(_ => answers.Below(2) == 0).Select(n => (n, Append(new EnrolmentConfirmed(n))))];
        await RunCountedAsync(log, enrolments, "enrolment", counts, logger, ct);

        // 6. One enrolment outside the algorithm, on a court decision: recorded with its legal basis and counted publicly.
        var exceptional = await ExceptionalEnrolmentAsync(log, plan, round, answers, today, counts, logger, ct);

        await FinishAsync(log, plan, round, accessCodes, exceptional, counts, dataDir, started, submittedAt, logger, addresses, ct);
    }

    private static async Task<string?> ExceptionalEnrolmentAsync(LiveLog log, DemoPlan plan, AllocationResult round, SplitMix64 rng,
        LocalDate today, DemoCounts counts, ILogger logger, CancellationToken ct)
    {
        var preferences = plan.Applications.ToDictionary(a => a.Number, a => a.Input.Preferences, StringComparer.Ordinal);
        var candidates = round.Explanations
            .Where(e => e.Status == RoundStatus.Waitlisted && e.Group is not null && preferences.ContainsKey(e.Number))
            .OrderBy(e => e.Number, StringComparer.Ordinal).ToList();
        if (candidates.Count == 0) return null;
        var chosen = candidates[rng.Below(candidates.Count)];
        // The court decision's date and case number are drawn as before (the rest of the demo keeps its
        // random numbers) but never published: the public event names only the published basis.
        _ = today.PlusDays(-rng.Between(10, 40));
        _ = rng.Between(1000, 9999);
        const string legalBasis = "court-decision";
        var e = new EnrolmentExceptional(chosen.Number, preferences[chosen.Number][0], chosen.Group!, round.Year, legalBasis);
        await RunCountedAsync(log, [(chosen.Number, (ICommand)Append(e))], "exceptional enrolment", counts, logger, ct);
        return chosen.Number;
    }

    private static async Task FinishAsync(LiveLog log, DemoPlan plan, AllocationResult? round, Dictionary<string, string> accessCodes,
        string? exceptional, DemoCounts counts, string dataDir, long started, long submittedAt, ILogger logger,
        IReadOnlyCollection<string> addresses, CancellationToken ct)
    {
        var file = Path.GetFullPath(Path.Combine(dataDir, FileName));
        var report = await log.ReadAsync((state, view) => DemoReport.Create(state, view.Size, plan, round, accessCodes, exceptional), ct);
        var elapsed = Stopwatch.GetElapsedTime(started);
        DemoReport.WriteFile(file, report, plan, Seed);
        logger.LogInformation(
            "Demo region filled in {Seconds:F1} s (applications in {SubmitSeconds:F1} s): {Entries} log entries; {Districts} districts, {Kindergartens} kindergartens, " +
            "{Programs} programs with {Seats} seats for {Year}; {Applications} applications ({Refused} refused), claims {Verified} verified / {Rejected} rejected / {Pending} pending, " +
            "{Withdrawn} withdrawn; round {Round}: {Offers} offers, {Waitlisted} waitlisted, {Deferred} deferred, {NoGroup} too young; " +
            "offers {Accepted} accepted / {Declined} declined / {Open} open; {Enrolled} enrolled ({Exceptional} by court decision)",
            elapsed.TotalSeconds, Stopwatch.GetElapsedTime(started, submittedAt).TotalSeconds, report.Entries, plan.Districts.Length, plan.Kindergartens.Length,
            report.Programs, report.Seats, plan.Year, report.Applications, counts.RefusedApplications, report.ClaimsVerified, report.ClaimsRejected, report.ClaimsPending,
            report.Withdrawn, round is null ? "(none)" : $"demo-{Formats.Format(plan.Today)}", round?.Offers.Length ?? 0, report.Waitlisted, report.Deferred, report.NoAgeGroup,
            report.Accepted, report.Declined, report.OpenOffers, report.Enrolled, report.Exceptional);
        if (counts.OtherRefusals > 0) logger.LogWarning("Demo: {Count} demo commands were refused (the first is logged above)", counts.OtherRefusals);
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
    private static async Task<CommandResult[]> RunAsync(LiveLog log, List<ICommand> commands, CancellationToken ct)
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
