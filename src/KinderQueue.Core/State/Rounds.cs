using KinderQueue.Core.Allocation;
using KinderQueue.Core.Events;
using NodaTime;

namespace KinderQueue.Core.State;

/// <summary>
/// Runs an allocation round on the state folded from the first <see cref="QueueState.Size"/>
/// entries (SPEC.md §8.4). The service appends the decision this returns; a validator calls the
/// same function on the same prefix and must get the same bytes.
/// </summary>
public static class Rounds
{
    public sealed record RoundOutcome(AllocationResult Result, AllocationDecided Decision);

    public static Parsed<RoundOutcome> Decide(QueueState state, string roundId, LocalDate date, LocalDate startDate)
    {
        if (string.IsNullOrWhiteSpace(roundId))
            return Parsed<RoundOutcome>.Fail("$.round", "round.id", "A round needs an id.");
        var input = RoundBuilder.Build(state, date, startDate);
        if (!input.Success) return Parsed<RoundOutcome>.Fail(input.Problems);
        var result = Allocator.Allocate(input.Value!);
        return Parsed<RoundOutcome>.Ok(new RoundOutcome(result, result.ToDecision(roundId, state.Size)));
    }
}
