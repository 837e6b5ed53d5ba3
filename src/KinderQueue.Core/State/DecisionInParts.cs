using System.Collections.Immutable;
using KinderQueue.Core.Events;

namespace KinderQueue.Core.State;

/// <summary>
/// A decision whose parts are still arriving (SPEC.md §8.5): its first entry and the items of the parts
/// so far. Immutable, so the fold's state is never half-updated by a refused part.
/// </summary>
public sealed class DecisionInParts
{
    private readonly ImmutableList<Offer> _offers;
    private readonly ImmutableList<string> _archived;

    public DecisionInParts(long seq, AllocationDecided first)
        : this(seq, first, [.. first.Offers], [.. first.Archived], [new(first.Offers.Length, first.Archived.Length)])
    {
    }

    private DecisionInParts(long seq, AllocationDecided first, ImmutableList<Offer> offers, ImmutableList<string> archived,
        ImmutableList<DecisionParts.PartSize> sizes)
    {
        Seq = seq;
        First = first;
        _offers = offers;
        _archived = archived;
        Sizes = sizes;
    }

    /// <summary>The entry of the first part: the decision's entry.</summary>
    public long Seq { get; }

    public AllocationDecided First { get; }

    /// <summary>The sizes of the parts applied so far.</summary>
    public ImmutableList<DecisionParts.PartSize> Sizes { get; }

    /// <summary>The number of the part that must come next.</summary>
    public int Next => Sizes.Count;

    public bool IsLast(AllocationContinued c) => c.Part == First.Parts - 1;

    /// <summary>Null when <paramref name="c"/> is the next part of this decision; otherwise why not.</summary>
    public ValidationProblem? Matches(AllocationContinued c)
    {
        if (!string.Equals(c.Round, First.Round, StringComparison.Ordinal))
            return new ValidationProblem("$.round", "decision.part-order", $"Part of round '{c.Round}' inside round '{First.Round}', whose part {Next} must follow.");
        if (c.Part != Next)
            return new ValidationProblem("$.part", "decision.part-order", $"Part {c.Part} of round '{First.Round}' where part {Next} of {First.Parts} must follow.");
        return null;
    }

    public DecisionInParts With(AllocationContinued c) =>
        new(Seq, First, _offers.AddRange(c.Offers), _archived.AddRange(c.Archived), Sizes.Add(new(c.Offers.Length, c.Archived.Length)));

    /// <summary>The whole decision, as one entry would hold it (no "parts"), with the last part added.</summary>
    public AllocationDecided Assemble(AllocationContinued last) =>
        First with { Offers = [.. _offers, .. last.Offers], Archived = [.. _archived, .. last.Archived], Parts = 1 };
}
