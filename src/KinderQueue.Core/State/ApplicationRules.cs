using System.Collections.Immutable;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Events;
using NodaTime;

namespace KinderQueue.Core.State;

/// <summary>
/// The rules an application must meet under the criteria in force (SPEC.md §8.3). The API
/// checks a submission with them before appending; the fold checks every logged submission
/// with them again, so a log that breaks them is visibly inconsistent.
/// </summary>
public static partial class ApplicationRules
{
    [System.Text.RegularExpressions.GeneratedRegex("^[A-Z0-9][A-Z0-9-]{0,31}\\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex NumberPattern();

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9a-f]{64}\\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex CommitmentPattern();

    /// <summary>Application numbers: upper-case letters, digits and '-', up to 32 (SPEC.md §3.1).</summary>
    public static bool IsValidNumber(string number) => NumberPattern().IsMatch(number);

    /// <summary>
    /// The list itself: not empty, at most the criteria's maximum, every kindergarten known, none twice.
    /// Shared by submissions, preference changes and allocation scenarios (SPEC.md §8.3, §9.2).
    /// </summary>
    public static void CheckPreferenceList(CriteriaDocument criteria, ImmutableArray<string> preferences, Func<string, bool> isKnown,
        string path, List<ValidationProblem> problems)
    {
        if (preferences.Length == 0)
            problems.Add(new(path, "application.no-preferences", "List at least one kindergarten."));
        if (preferences.Length > criteria.MaxPreferences)
            problems.Add(new(path, "application.too-many-preferences",
                $"{preferences.Length} kindergartens listed; criteria {criteria.Version} allows at most {criteria.MaxPreferences}."));
        // A set only for long lists: the fold checks every submission, and a set per short list was a
        // large share of its garbage. Listed twice means: equal to an earlier item (what the set said).
        var seen = preferences.Length > ShortList ? new HashSet<string>(preferences.Length, StringComparer.Ordinal) : null;
        for (var i = 0; i < preferences.Length; i++)
        {
            if (!isKnown(preferences[i]))
                problems.Add(new($"{path}[{i}]", "application.unknown-kindergarten", $"Kindergarten '{preferences[i]}' is not registered."));
            if (seen is null ? ListedBefore(preferences, i) : !seen.Add(preferences[i]))
                problems.Add(new($"{path}[{i}]", "application.duplicate-preference", $"Kindergarten '{preferences[i]}' is listed twice."));
        }
    }

    private const int ShortList = 16;

    private static bool ListedBefore(ImmutableArray<string> preferences, int i)
    {
        for (var j = 0; j < i; j++)
        {
            if (string.Equals(preferences[j], preferences[i], StringComparison.Ordinal)) return true;
        }
        return false;
    }

    public static IReadOnlyList<ValidationProblem> CheckPreferences(CriteriaDocument criteria, QueueState state,
        ImmutableArray<string> preferences, LocalDate desiredStart, YearMonth birthMonth, LocalDate today)
    {
        var problems = new List<ValidationProblem>();
        CheckPreferenceList(criteria, preferences, state.Kindergartens.ContainsKey, "$.preferences", problems);
        if (desiredStart < today)
            problems.Add(new("$.desiredStart", "application.desired-start-past", $"Desired start {desiredStart:uuuu-MM-dd} is before today ({today:uuuu-MM-dd})."));
        if (birthMonth > new YearMonth(today.Year, today.Month))
            problems.Add(new("$.birthMonth", "application.birth-future", "The birth month is in the future."));
        else if (AgeCalculator.AgeOn(birthMonth, desiredStart) >= criteria.AgeRule.ArchiveAge)
            problems.Add(new("$.birthMonth", "application.too-old",
                $"The child will be {criteria.AgeRule.ArchiveAge} or older by the desired start date; kindergartens take children up to {criteria.AgeRule.ArchiveAge - 1}."));
        return problems;
    }

    public static IReadOnlyList<ValidationProblem> CheckSubmission(CriteriaDocument criteria, QueueState state, ApplicationSubmitted a, LocalDate today, Instant at)
    {
        var problems = new List<ValidationProblem>();
        if (!IsValidNumber(a.Number))
            problems.Add(new("$.number", "application.number", "An application number is 1–32 upper-case letters, digits and '-'."));
        if (!CommitmentPattern().IsMatch(a.Commitment))
            problems.Add(new("$.commitment", "application.commitment", "The commitment is 64 lower-case hex digits (SHA-256)."));
        // A registration cannot be dated after the entry that records it; earlier dates (the federal
        // portal's own registration time, migrated queues) are visible to everyone in the log.
        if (a.RegisteredAt > at)
            problems.Add(new("$.registeredAt", "application.registered-future", "The registration instant is after the entry that records it."));
        if (state.Applications.ContainsKey(a.Number))
            problems.Add(new("$.number", "application.duplicate-number", $"Application {a.Number} exists already."));
        if (!ApplicationSubmitted.Kinds.Contains(a.Kind))
            problems.Add(new("$.kind", "application.kind", $"Kind '{a.Kind}' is not one of new, transfer."));
        if (!ApplicationSubmitted.Channels.Contains(a.Channel))
            problems.Add(new("$.channel", "application.channel", $"Channel '{a.Channel}' is not one of portal, centre, federal."));
        if (!state.Districts.ContainsKey(a.District))
            problems.Add(new("$.district", "application.unknown-district", $"District '{a.District}' is not registered."));
        problems.AddRange(CheckPreferences(criteria, state, a.Preferences, a.DesiredStart, a.BirthMonth, today));
        for (var i = 0; i < a.Claims.Length; i++)
        {
            var claim = a.Claims[i];
            var tier = criteria.FindTier(claim.Tier);
            if (tier is null || tier == criteria.DefaultTier || tier.Scope == TierScope.Catchment)
            {
                problems.Add(new($"$.claims[{i}].tier", "application.unknown-tier",
                    $"'{claim.Tier}' is not a tier that can be claimed under criteria {criteria.Version}."));
                continue;
            }
            if (tier.Scope == TierScope.Sibling && (claim.Kindergarten is null || !state.Kindergartens.ContainsKey(claim.Kindergarten)))
                problems.Add(new($"$.claims[{i}].kindergarten", "application.sibling-kindergarten",
                    "A sibling claim names the registered kindergarten the sibling attends."));
            if (tier.Scope != TierScope.Sibling && claim.Kindergarten is not null)
                problems.Add(new($"$.claims[{i}].kindergarten", "application.claim-kindergarten", $"Tier '{claim.Tier}' applies everywhere; it names no kindergarten."));
        }
        return problems;
    }
}
