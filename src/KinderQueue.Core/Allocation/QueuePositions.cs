using System.Collections.Immutable;
using KinderQueue.Core.Criteria;
using NodaTime;

namespace KinderQueue.Core.Allocation;

/// <summary>An applicant's place in the queue of one listed kindergarten between rounds (SPEC.md §7.6).</summary>
public sealed record QueuePosition(string Kindergarten, string Group, int Year, LocalDate From, int Position, int Total, string Tier);

public sealed record ApplicantPositions(string Number, ImmutableArray<QueuePosition> Positions);

/// <summary>
/// Positions between rounds. Each waiting applicant queues for the enrolment year of the later of
/// <c>asOf</c> and their desired start, in the age group for that year. The queue of (kindergarten,
/// group, year) holds every applicant in that situation who lists the kindergarten; the position is
/// one plus the number of them with a better priority key there, and the total is the queue's length.
/// </summary>
public static class QueuePositions
{
    public static ImmutableArray<ApplicantPositions> Compute(CriteriaDocument criteria, LocalDate asOf,
        IEnumerable<KindergartenInfo> kindergartens, IReadOnlyList<Applicant> applicants)
    {
        var tiers = new TierResolver(criteria, kindergartens);
        var queues = new Dictionary<(string Kindergarten, string Group, int Year), List<(PriorityKey Key, int Applicant, int Pref)>>();
        var targets = new (string Group, int Year, LocalDate From)?[applicants.Count];
        for (var i = 0; i < applicants.Count; i++)
        {
            var a = applicants[i];
            var from = a.DesiredStart > asOf ? a.DesiredStart : asOf;
            if (AgeCalculator.AgeOn(a.BirthMonth, from) >= criteria.AgeRule.ArchiveAge) continue;
            var year = AgeCalculator.EnrolmentYear(criteria.AgeRule, from);
            var group = AgeCalculator.GroupFor(criteria.AgeRule, a.BirthMonth, year);
            if (group is null) continue;
            targets[i] = (group.Id, year, from);
            var ranks = tiers.ForApplicant(a);
            for (var j = 0; j < a.Preferences.Length; j++)
            {
                var id = (a.Preferences[j], group.Id, year);
                if (!queues.TryGetValue(id, out var queue)) queues[id] = queue = new();
                queue.Add((new PriorityKey(ranks.RankAt(a.Preferences[j]), a.RegisteredAt, a.Seq), i, j));
            }
        }
        var positions = new QueuePosition?[applicants.Count][];
        for (var i = 0; i < applicants.Count; i++) positions[i] = new QueuePosition?[applicants[i].Preferences.Length];
        foreach (var ((kg, group, year), queue) in queues)
        {
            queue.Sort((x, y) => x.Key.CompareTo(y.Key));
            for (var k = 0; k < queue.Count; k++)
            {
                var (key, i, j) = queue[k];
                positions[i][j] = new QueuePosition(kg, group, year, targets[i]!.Value.From, k + 1, queue.Count, tiers.TierId(key.TierRank));
            }
        }
        var result = new ApplicantPositions[applicants.Count];
        for (var i = 0; i < applicants.Count; i++)
            result[i] = new ApplicantPositions(applicants[i].Number, [.. positions[i].Where(p => p is not null).Select(p => p!)]);
        Array.Sort(result, (x, y) => string.CompareOrdinal(x.Number, y.Number));
        return [.. result];
    }
}
