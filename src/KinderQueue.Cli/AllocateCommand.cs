using System.Globalization;
using KinderQueue.Core;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;

namespace KinderQueue.Cli;

/// <summary><c>kq allocate</c> and <c>kq explain</c>: one round from a scenario file.</summary>
internal static class AllocateCommand
{
    public static int Allocate(string file, TextWriter stdout, TextWriter stderr)
    {
        var input = Load(file, stderr);
        if (input is null) return CliApp.InputError;
        var result = Allocator.Allocate(input);
        stdout.Write(System.Text.Encoding.UTF8.GetString(ResultJson.ToCanonicalBytes(result)));
        stdout.WriteLine();
        return CliApp.Ok;
    }

    public static int Explain(string file, string number, TextWriter stdout, TextWriter stderr)
    {
        var input = Load(file, stderr);
        if (input is null) return CliApp.InputError;
        var result = Allocator.Allocate(input);
        var e = result.ExplanationOf(number);
        if (e is null)
        {
            stderr.WriteLine($"{file}: no application numbered '{number}' in $.applicants");
            return CliApp.InputError;
        }
        stdout.Write(ExplanationText.Render(e, input.Criteria, result));
        return CliApp.Ok;
    }

    private static AllocationInput? Load(string file, TextWriter stderr)
    {
        var bytes = InputFiles.Read(file, stderr);
        if (bytes is null) return null;
        Parsed<AllocationInput> parsed;
        try
        {
            // A spec vector ({"description","input","expected"}) is accepted as well as a bare scenario.
            using var doc = System.Text.Json.JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            parsed = IsVector(root, out var input)
                ? ScenarioJson.Read(input, "$.input", InputFiles.CriteriaLoaderFor(file))
                : ScenarioJson.Read(root, "$", InputFiles.CriteriaLoaderFor(file));
        }
        catch (System.Text.Json.JsonException ex)
        {
            stderr.WriteLine($"{file}: not valid JSON: {ex.Message}");
            return null;
        }
        if (parsed.Success) return parsed.Value;
        InputFiles.Report(file, parsed.Problems, stderr);
        return null;
    }

    /// <summary>
    /// Whether the file is a spec vector (<c>input</c> and <c>expected</c>). A root whose keys are not
    /// all text is not: looking a name up decodes the keys and would throw, so it is read as a
    /// scenario, whose reader reports the key (<c>json.string</c> at <c>$</c>).
    /// </summary>
    private static bool IsVector(System.Text.Json.JsonElement root, out System.Text.Json.JsonElement input)
    {
        input = default;
        if (root.ValueKind != System.Text.Json.JsonValueKind.Object) return false;
        try
        {
            return root.TryGetProperty("input", out input) && root.TryGetProperty("expected", out _);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

/// <summary>An explanation in plain words, the way the position page will say it.</summary>
internal static class ExplanationText
{
    public static string Render(ApplicantExplanation e, CriteriaDocument criteria, AllocationResult result)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine($"Application {e.Number}, round of {Formats.Format(result.Date)} for places from {Formats.Format(result.StartDate)} (enrolment year {result.Year}, criteria {criteria.Version}).");
        switch (e.Status)
        {
            case RoundStatus.Deferred:
                w.WriteLine("Did not take part: the desired start date is after the start date of this round's places. The application keeps its place in the queue.");
                return w.ToString();
            case RoundStatus.Archived:
                w.WriteLine($"Archived: the child is {criteria.AgeRule.ArchiveAge} or older on the start date.");
                return w.ToString();
            case RoundStatus.NoAgeGroup:
                w.WriteLine($"Did not take part: no age group takes a child of this age on {criteria.AgeRule.CutoffDay:00}.{criteria.AgeRule.CutoffMonth:00}.{result.Year}.");
                return w.ToString();
        }
        var group = e.Group is null ? "?" : criteria.FindGroup(e.Group)?.Name.En ?? e.Group;
        w.WriteLine(e.OfferedKindergarten is null
            ? $"No offer this round; the application stays on the waiting lists. Age group: {group}."
            : $"Offered a place at {e.OfferedKindergarten}, age group: {group}.");
        var i = 1;
        foreach (var p in e.Preferences)
        {
            w.Write($"  {i++}. {p.Kindergarten}: ");
            switch (p.Outcome)
            {
                case PreferenceOutcome.Offered:
                    w.WriteLine($"offered. You were {Ordinal(p.Own!.RankInTier)} among {TierName(criteria, p.Own.Tier)} applicants here.");
                    break;
                case PreferenceOutcome.NoProgram:
                    w.WriteLine("this kindergarten has no group for your child's age this year.");
                    break;
                case PreferenceOutcome.NoSeats:
                    w.WriteLine("no free seats in your child's age group this round.");
                    break;
                default:
                    var last = p.LastAdmitted!;
                    w.WriteLine($"not offered; {p.Seats} seat(s). You were {Ordinal(p.Own!.RankInTier)} among {TierName(criteria, p.Own.Tier)} applicants " +
                                $"(registered {Formats.Format(p.Own.RegisteredAt)}); the last admitted was {Ordinal(last.RankInTier)} among {TierName(criteria, last.Tier)} applicants " +
                                $"(registered {Formats.Format(last.RegisteredAt)}).");
                    break;
            }
        }
        return w.ToString();
    }

    private static string TierName(CriteriaDocument c, string tier) => c.FindTier(tier)?.Name.En.ToLowerInvariant() is { } n ? $"{n} ({tier})" : tier;

    private static string Ordinal(int n)
    {
        var suffix = (n % 100) is 11 or 12 or 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" };
        return n.ToString(CultureInfo.InvariantCulture) + suffix;
    }
}
