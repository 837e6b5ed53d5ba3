using System.Text.RegularExpressions;
using NodaTime;

namespace KinderQueue.Core.Criteria;

/// <summary>
/// The rules a criteria document must satisfy before it can be published (SPEC.md §4.4).
/// Each problem names the field and the rule, so a department sees exactly what to fix.
/// </summary>
public static partial class CriteriaValidator
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,31}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    public static IReadOnlyList<ValidationProblem> Validate(CriteriaDocument c, string path = "$")
    {
        var problems = new List<ValidationProblem>();
        void Add(string p, string code, string message) => problems.Add(new ValidationProblem(p, code, message));

        if (!VersionPattern().IsMatch(c.Version))
            Add($"{path}.version", "criteria.version", "Version must be 1–32 letters, digits, '.', '_' or '-'.");
        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(c.TimeZone) is null)
            Add($"{path}.timeZone", "criteria.time-zone", $"'{c.TimeZone}' is not a known IANA time zone.");

        ValidateAgeRule(c.AgeRule, $"{path}.ageRule", Add);

        var tierIds = new HashSet<string>(StringComparer.Ordinal);
        if (c.Tiers.Length == 0) Add($"{path}.tiers", "criteria.no-tiers", "At least the default tier is needed.");
        for (var i = 0; i < c.Tiers.Length; i++)
        {
            var t = c.Tiers[i];
            var tp = $"{path}.tiers[{i}]";
            if (!IsValidId(t.Id)) Add($"{tp}.id", "criteria.id", $"Tier id '{t.Id}' must be lower-case letters, digits and '-'.");
            if (!tierIds.Add(t.Id)) Add($"{tp}.id", "criteria.duplicate-id", $"Tier id '{t.Id}' appears more than once.");
        }
        if (c.Tiers.Length > 0 && c.DefaultTier.Scope != TierScope.All)
            Add($"{path}.tiers[{c.Tiers.Length - 1}].scope", "criteria.default-scope", "The last tier is the default everyone has; its scope must be 'all'.");

        var categoryIds = new HashSet<string>(StringComparer.Ordinal);
        var tiersWithCategory = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < c.Categories.Length; i++)
        {
            var cat = c.Categories[i];
            var cp = $"{path}.categories[{i}]";
            if (!IsValidId(cat.Id)) Add($"{cp}.id", "criteria.id", $"Category id '{cat.Id}' must be lower-case letters, digits and '-'.");
            if (!categoryIds.Add(cat.Id)) Add($"{cp}.id", "criteria.duplicate-id", $"Category id '{cat.Id}' appears more than once.");
            if (!tierIds.Contains(cat.Tier))
                Add($"{cp}.tier", "criteria.unknown-tier", $"Category '{cat.Id}' maps to tier '{cat.Tier}', which is not in tiers.");
            else if (c.Tiers.Length > 0 && cat.Tier == c.DefaultTier.Id)
                Add($"{cp}.tier", "criteria.default-tier-category", $"Category '{cat.Id}' maps to the default tier, which needs no category.");
            if (string.IsNullOrWhiteSpace(cat.LegalBasis))
                Add($"{cp}.legalBasis", "criteria.no-legal-basis", $"Category '{cat.Id}' has no legal basis; a priority right without one cannot be published.");
            tiersWithCategory.Add(cat.Tier);
        }
        for (var i = 0; i < c.Tiers.Length - 1; i++)
        {
            if (!tiersWithCategory.Contains(c.Tiers[i].Id))
                Add($"{path}.tiers[{i}]", "criteria.tier-without-category", $"Tier '{c.Tiers[i].Id}' has no category, so nothing gives it a legal basis.");
        }
        if (c.Reasons is { } reasons) ValidateReasons(reasons, $"{path}.reasons", Add);
        return problems;
    }

    /// <summary>When a version publishes code lists, each list is needed: an event of that kind could not be written without one.</summary>
    private static void ValidateReasons(ReasonCodes reasons, string path, Action<string, string, string> add)
    {
        foreach (var list in Enum.GetValues<ReasonList>())
        {
            if (list == ReasonList.SignalOutcome && reasons.SignalOutcomes is null) continue;
            var lp = $"{path}.{ReasonCodes.Member(list)}";
            var codes = reasons.Of(list);
            if (codes.IsEmpty) add(lp, "criteria.no-reason-codes", $"The '{ReasonCodes.Member(list)}' list is empty; events that need one of its codes could not be written.");
            var ids = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < codes.Length; i++)
            {
                var ip = $"{lp}[{i}]";
                if (!IsValidId(codes[i].Id)) add($"{ip}.id", "criteria.id", $"Code '{codes[i].Id}' must be lower-case letters, digits and '-'.");
                if (!ids.Add(codes[i].Id)) add($"{ip}.id", "criteria.duplicate-id", $"Code '{codes[i].Id}' appears more than once in '{ReasonCodes.Member(list)}'.");
            }
        }
    }

    private static void ValidateAgeRule(AgeRule rule, string path, Action<string, string, string> add)
    {
        // February 29 is not a cut-off: it would not exist in most enrolment years.
        var maxDay = rule.CutoffMonth == 2 ? 28 : CalendarSystem.Iso.GetDaysInMonth(2001, rule.CutoffMonth);
        if (rule.CutoffDay > maxDay)
            add($"{path}.cutoffDay", "criteria.cutoff-day", $"Day {rule.CutoffDay} does not exist in month {rule.CutoffMonth} of every year.");
        if (rule.Groups.Length == 0)
        {
            add($"{path}.groups", "criteria.no-age-groups", "At least one age group is needed.");
            return;
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rule.Groups.Length; i++)
        {
            var g = rule.Groups[i];
            var gp = $"{path}.groups[{i}]";
            if (!IsValidId(g.Id)) add($"{gp}.id", "criteria.id", $"Age group id '{g.Id}' must be lower-case letters, digits and '-'.");
            if (!ids.Add(g.Id)) add($"{gp}.id", "criteria.duplicate-id", $"Age group id '{g.Id}' appears more than once.");
            if (g.MinAge > g.MaxAge) add($"{gp}.maxAge", "criteria.age-range", $"Age group '{g.Id}' has minAge {g.MinAge} above maxAge {g.MaxAge}.");
            if (i > 0)
            {
                var prev = rule.Groups[i - 1];
                if (g.MinAge <= prev.MaxAge)
                    add($"{gp}.minAge", "criteria.age-overlap", $"Age group '{g.Id}' starts at {g.MinAge}, inside '{prev.Id}' (up to {prev.MaxAge}); groups must be in ascending order without overlap.");
                else if (g.MinAge > prev.MaxAge + 1)
                    add($"{gp}.minAge", "criteria.age-gap", $"No age group takes children aged {prev.MaxAge + 1}–{g.MinAge - 1} (between '{prev.Id}' and '{g.Id}').");
            }
        }
        var oldest = rule.Groups[^1].MaxAge;
        if (rule.ArchiveAge <= oldest)
            add($"{path}.archiveAge", "criteria.archive-age", $"archiveAge {rule.ArchiveAge} must be above the oldest group's maxAge {oldest}.");
    }
}
