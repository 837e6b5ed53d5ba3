using System.Collections.Immutable;
using KinderQueue.Core.Events;

namespace KinderQueue.Core.Privacy;

/// <summary>A parent actor pseudonym that appears on more than one application: those applications are linked to one family.</summary>
public sealed record LinkedActor(string Actor, ImmutableArray<string> Applications);

/// <summary>
/// Which applications each parent actor acted on. SPEC.md §6.1 makes a parent's pseudonym one per
/// account and application, so none should act on two; a log written before that rule (or a service
/// that breaks it) links a family's applications for everyone. Staff actors act on many applications
/// by design (accountability) and are not counted.
/// </summary>
internal sealed class ActorLinks
{
    private const string ParentRole = "parent";

    // Most parent actors name one application: only a second one makes a set.
    private readonly Dictionary<string, string> _first = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<string>> _linked = new(StringComparer.Ordinal);

    /// <summary>Distinct parent actors seen.</summary>
    public int ParentActors => _first.Count;

    public void Observe(string actor, LogEvent e)
    {
        if (!IsParent(actor)) return;
        foreach (var number in Numbers(e))
        {
            if (!_first.TryGetValue(actor, out var first))
            {
                _first[actor] = number;
                continue;
            }
            if (first == number) continue;
            if (!_linked.TryGetValue(actor, out var set)) _linked[actor] = set = new SortedSet<string>(StringComparer.Ordinal) { first };
            set.Add(number);
        }
    }

    /// <summary>The linked actors in ordinal order, each with its applications in ordinal order.</summary>
    public ImmutableArray<LinkedActor> Linked() =>
        [.. _linked.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new LinkedActor(kv.Key, [.. kv.Value]))];

    /// <summary>"parent" alone, or "parent:pseudonym" (SPEC.md §6.1).</summary>
    private static bool IsParent(string actor) =>
        actor.StartsWith(ParentRole, StringComparison.Ordinal) && (actor.Length == ParentRole.Length || actor[ParentRole.Length] == ':');

    /// <summary>The application numbers an event names.</summary>
    private static IEnumerable<string> Numbers(LogEvent e) => e switch
    {
        ApplicationSubmitted s => [s.Number],
        ClaimReviewed r => [r.Number],
        ApplicationChanged c => [c.Number],
        ApplicationWithdrawn w => [w.Number],
        OfferResponded r => [r.Number],
        EnrolmentConfirmed c => [c.Number],
        EnrolmentExceptional x => [x.Number],
        OffersExpired x => x.Numbers,
        AllocationDecided d => d.Offers.Select(o => o.Number).Concat(d.Archived),
        AllocationContinued c => c.Offers.Select(o => o.Number).Concat(c.Archived),
        _ => [],
    };
}
