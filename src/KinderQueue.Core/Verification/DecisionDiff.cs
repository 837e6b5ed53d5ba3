using System.Globalization;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;

namespace KinderQueue.Core.Verification;

/// <summary>Says in words how a logged decision differs from the recomputed one: who got an offer they should not have, and who lost one.</summary>
internal static class DecisionDiff
{
    public static string Path(AllocationDecided logged, AllocationDecided recomputed)
    {
        if (logged.Round != recomputed.Round) return "$.round";
        if (logged.CriteriaVersion != recomputed.CriteriaVersion) return "$.criteria";
        if (logged.Year != recomputed.Year) return "$.year";
        for (var i = 0; i < Math.Max(logged.Offers.Length, recomputed.Offers.Length); i++)
        {
            if (i >= logged.Offers.Length || i >= recomputed.Offers.Length || logged.Offers[i] != recomputed.Offers[i])
                return string.Create(CultureInfo.InvariantCulture, $"$.offers[{i}]");
        }
        for (var i = 0; i < Math.Max(logged.Archived.Length, recomputed.Archived.Length); i++)
        {
            if (i >= logged.Archived.Length || i >= recomputed.Archived.Length || logged.Archived[i] != recomputed.Archived[i])
                return string.Create(CultureInfo.InvariantCulture, $"$.archived[{i}]");
        }
        return "$";
    }

    public static string Describe(AllocationDecided logged, AllocationDecided recomputed)
    {
        var parts = new List<string>();
        if (logged.CriteriaVersion != recomputed.CriteriaVersion)
            parts.Add($"criteria {logged.CriteriaVersion} logged, {recomputed.CriteriaVersion} in force");
        if (logged.Year != recomputed.Year) parts.Add($"year {logged.Year} logged, {recomputed.Year} recomputed");
        var ours = recomputed.Offers.ToDictionary(o => o.Number, StringComparer.Ordinal);
        var theirs = logged.Offers.GroupBy(o => o.Number, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var extra = logged.Offers.Where(o => !ours.TryGetValue(o.Number, out var r) || r != o).ToList();
        var missing = recomputed.Offers.Where(o => !theirs.TryGetValue(o.Number, out var l) || l != o).ToList();
        const int Shown = 5;
        if (extra.Count > 0)
            parts.Add($"the log offers {Join(extra.Take(Shown).Select(Describe))}{More(extra.Count, Shown)} which the rules do not give");
        if (missing.Count > 0)
            parts.Add($"the rules offer {Join(missing.Take(Shown).Select(Describe))}{More(missing.Count, Shown)} which the log does not give");
        var archivedExtra = logged.Archived.Except(recomputed.Archived, StringComparer.Ordinal).ToList();
        var archivedMissing = recomputed.Archived.Except(logged.Archived, StringComparer.Ordinal).ToList();
        if (archivedExtra.Count > 0) parts.Add($"the log archives {Join(archivedExtra.Take(Shown))}{More(archivedExtra.Count, Shown)} which the rules do not");
        if (archivedMissing.Count > 0) parts.Add($"the rules archive {Join(archivedMissing.Take(Shown))}{More(archivedMissing.Count, Shown)} which the log does not");
        if (parts.Count == 0) parts.Add("the same offers and archives, in another order or form");
        return string.Join("; ", parts) + ".";
    }

    private static string Describe(Offer o) => $"{o.Number} a place at {o.Kindergarten} ({o.Group}, until {Formats.Format(o.Deadline)})";

    private static string Join(IEnumerable<string> items) => string.Join(", ", items);

    private static string More(int count, int shown) => count > shown ? $" and {count - shown} more" : "";
}
