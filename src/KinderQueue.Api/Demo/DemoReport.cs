using System.Collections.Immutable;
using System.Text;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.State;

namespace KinderQueue.Api.Demo;

/// <summary>One demo application a newcomer can look at: its number, access code, status and what it shows.</summary>
internal sealed record DemoPick(string Number, string AccessCode, string Status, string Note);

/// <summary>What the filled region looks like, read from the folded state, and the few applications worth a look.</summary>
internal sealed record DemoReport(
    long Entries,
    int Programs,
    int Seats,
    int Applications,
    int ClaimsVerified,
    int ClaimsRejected,
    int ClaimsPending,
    int Withdrawn,
    int Waitlisted,
    int Deferred,
    int NoAgeGroup,
    int Accepted,
    int Declined,
    int OpenOffers,
    int Enrolled,
    int Exceptional,
    ImmutableArray<DemoPick> Picks)
{
    public static DemoReport Create(QueueState state, long entries, DemoPlan plan, AllocationResult? round,
        IReadOnlyDictionary<string, string> accessCodes, string? exceptional)
    {
        var apps = state.Applications.Values.Where(a => accessCodes.ContainsKey(a.Number)).OrderBy(a => a.Seq).ToList();
        var claims = apps.SelectMany(a => a.Claims).ToList();
        var programs = state.Capacity.Where(kv => kv.Key.Year == plan.Year).ToList();
        var offered = round?.Offers.Select(o => o.Number).ToHashSet(StringComparer.Ordinal) ?? [];
        int Count(ApplicationStatus s) => apps.Count(a => a.Status == s);
        RoundStatus? RoundOf(ApplicationRecord a) => round?.ExplanationOf(a.Number)?.Status;

        return new DemoReport(
            entries,
            programs.Count,
            programs.Sum(kv => kv.Value),
            apps.Count,
            claims.Count(c => c.Verified == true),
            claims.Count(c => c.Verified == false),
            claims.Count(c => c.Verified is null),
            Count(ApplicationStatus.Withdrawn),
            round?.CountWith(RoundStatus.Waitlisted) ?? 0,
            round?.CountWith(RoundStatus.Deferred) ?? 0,
            round?.CountWith(RoundStatus.NoAgeGroup) ?? 0,
            apps.Count(a => offered.Contains(a.Number) && a.Status is ApplicationStatus.Accepted or ApplicationStatus.Enrolled),
            apps.Count(a => offered.Contains(a.Number) && a.Status == ApplicationStatus.Paused),
            Count(ApplicationStatus.Offered),
            Count(ApplicationStatus.Enrolled),
            apps.Count(a => a.Status == ApplicationStatus.Enrolled && a.Placement!.OutsideAlgorithm),
            Pick(state, plan, apps, RoundOf, accessCodes, exceptional));
    }

    /// <summary>
    /// One application for each situation a newcomer may want to see, the earliest registered
    /// of its kind. Situations the region happens not to contain are left out.
    /// </summary>
    private static ImmutableArray<DemoPick> Pick(QueueState state, DemoPlan plan, List<ApplicationRecord> apps,
        Func<ApplicationRecord, RoundStatus?> roundOf, IReadOnlyDictionary<string, string> accessCodes, string? exceptional)
    {
        var criteria = plan.Criteria;
        string Kg(string id) => state.Kindergartens.TryGetValue(id, out var k) ? k.Name : id;
        string Group(string id) => criteria.FindGroup(id)?.Name.Ru ?? id;
        string Place(Placement p) => $"{Kg(p.Kindergarten)}, {Group(p.Group)}";
        bool Has(ApplicationRecord a, Func<ClaimState, bool> test) => a.Claims.Any(test);
        bool Priority(ClaimState c) => c.Verified == true && c.Tier is "extraordinary" or "first";

        var waiting = apps.Where(a => a.Status == ApplicationStatus.Waiting).ToList();
        var positions = QueuePositions.Compute(criteria, plan.Today,
                state.Kindergartens.Values.OrderBy(k => k.Id, StringComparer.Ordinal).Select(k => new KindergartenInfo(k.Id, k.District, k.Catchment)),
                [.. waiting.Select(RoundBuilder.ToApplicant)])
            .ToDictionary(p => p.Number, StringComparer.Ordinal);
        string Position(ApplicationRecord a) => positions.TryGetValue(a.Number, out var p) && p.Positions.FirstOrDefault(q => q.Kindergarten == a.Preferences[0]) is { } q
            ? $"{q.Position} of {q.Total} in the queue of {Kg(q.Kindergarten)}, {Group(q.Group)} (first choice)"
            : "in the queue";

        var situations = new (Func<ApplicationRecord, bool> Test, Func<ApplicationRecord, string> Note)[]
        {
            (a => a.Status == ApplicationStatus.Offered && a.Claims.Length == 0,
                a => $"open offer: {Place(a.Placement!)}; answer by {Formats.Format(a.Placement!.Deadline!.Value)} (general queue)"),
            (a => a.Status == ApplicationStatus.Offered && Has(a, Priority),
                a => $"open offer thanks to a verified {(a.Claims.First(Priority).Tier == "first" ? "first-priority" : "extraordinary")} right: {Place(a.Placement!)}"),
            (a => a.Status == ApplicationStatus.Offered && Has(a, c => c.Verified == true && c.Tier == "sibling" && c.Kindergarten == a.Placement!.Kindergarten),
                a => $"open offer where a sibling attends (verified preferential right): {Place(a.Placement!)}"),
            (a => a.Status == ApplicationStatus.Accepted,
                a => $"accepted the offer: {Place(a.Placement!)}; enrolment not yet confirmed"),
            (a => a.Status == ApplicationStatus.Enrolled && !a.Placement!.OutsideAlgorithm,
                a => $"enrolled through the round: {Place(a.Placement!)}"),
            (a => a.Number == exceptional,
                a => $"enrolled OUTSIDE the algorithm by a court decision (legal basis in the log): {Place(a.Placement!)}"),
            (a => a.Status == ApplicationStatus.Paused,
                a => "declined the offer; paused until the preferences change"),
            (a => a.Status == ApplicationStatus.Waiting && roundOf(a) == RoundStatus.Waitlisted && a.Claims.Length == 0,
                a => $"no seat this round; position {Position(a)}"),
            (a => a.Status == ApplicationStatus.Waiting && Has(a, c => c.Verified == false),
                a => $"claimed right rejected, so it ranks as general; position {Position(a)}"),
            (a => a.Status == ApplicationStatus.Waiting && Has(a, c => c.Verified is null),
                a => $"claimed right not yet verified, ranks as general until it is; position {Position(a)}"),
            (a => a.Status == ApplicationStatus.Waiting && roundOf(a) == RoundStatus.Deferred,
                a => $"wants a seat from {Formats.Format(a.DesiredStart)}, so it did not compete in this round"),
            (a => a.Status == ApplicationStatus.Waiting && roundOf(a) == RoundStatus.NoAgeGroup,
                a => $"too young for any group in {plan.Year}/{plan.Year + 1} (born {Formats.Format(a.BirthMonth)})"),
            (a => a.Status == ApplicationStatus.Withdrawn,
                a => "withdrawn by the parent"),
        };

        var picks = ImmutableArray.CreateBuilder<DemoPick>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (test, note) in situations)
        {
            var a = apps.FirstOrDefault(x => !used.Contains(x.Number) && test(x));
            if (a is null) continue;
            used.Add(a.Number);
            picks.Add(new DemoPick(a.Number, accessCodes[a.Number], a.Status.ToString().ToLowerInvariant(), note(a)));
        }
        return picks.ToImmutable();
    }

    /// <summary>Writes the list of demo applications (replacing an earlier one), readable by the owner only.</summary>
    public static void WriteFile(string path, DemoReport report, DemoPlan plan, ulong seed, string? lastRound)
    {
        var text = new StringBuilder();
        text.AppendLine("# SYNTHETIC DATA ONLY. Written by `--demo`: every application, name, phone number and access code in this region was invented by the demo generator; none belongs to a real child or parent.");
        text.AppendLine($"# Region filled on {Formats.Format(plan.Today)} ({plan.Criteria.TimeZone}) from seed 0x{seed:X} with a year of history from {Formats.Format(plan.Start)}: criteria {plan.Criteria.Version}, last round {lastRound ?? "(none)"}, {report.Entries} log entries.");
        text.AppendLine("# A parent sees the access code once, at submission; the service keeps only a salted hash. These are kept here so that you can try the parent's side.");
        text.AppendLine("# Staff commands need a token: dotnet run --project src/KinderQueue.Api -- token --role allocator   (answer an offer: POST /api/v1/applications/{number}/offer-response {\"response\":\"accept\"}; an operator or parent token also sends \"accessCode\")");
        text.AppendLine("#");
        text.AppendLine($"# {"number",-14}  {"access code",-14}  {"status",-9}  what it shows");
        foreach (var p in report.Picks) text.AppendLine($"{p.Number,-16}  {p.AccessCode,-14}  {p.Status,-9}  {p.Note}");

        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }
}
