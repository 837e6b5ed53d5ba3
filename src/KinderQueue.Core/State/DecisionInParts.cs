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

    private readonly ImmutableList<long> _partSeqs;
    private Dictionary<string, long>? _partOf;

    public DecisionInParts(long seq, AllocationDecided first)
        : this(seq, first, [.. first.Offers], [.. first.Archived], [new(first.Offers.Length, first.Archived.Length)], [seq])
    {
    }

    private DecisionInParts(long seq, AllocationDecided first, ImmutableList<Offer> offers, ImmutableList<string> archived,
        ImmutableList<DecisionParts.PartSize> sizes, ImmutableList<long> partSeqs)
    {
        Seq = seq;
        First = first;
        _offers = offers;
        _archived = archived;
        Sizes = sizes;
        _partSeqs = partSeqs;
    }

    /// <summary>The entry of the part that names <paramref name="number"/>; −1 if none does.</summary>
    public long PartOf(string number)
    {
        if (_partOf is null)
        {
            var map = new Dictionary<string, long>(_offers.Count + _archived.Count, StringComparer.Ordinal);
            int o = 0, a = 0;
            for (var i = 0; i < Sizes.Count; i++)
            {
                for (var k = 0; k < Sizes[i].Offers; k++) map[_offers[o++].Number] = _partSeqs[i];
                for (var k = 0; k < Sizes[i].Archived; k++) map[_archived[a++]] = _partSeqs[i];
            }
            _partOf = map;
        }
        return _partOf.GetValueOrDefault(number, -1);
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

    /// <param name="seq">The entry of part <paramref name="c"/>.</param>
    public DecisionInParts With(AllocationContinued c, long seq) =>
        new(Seq, First, _offers.AddRange(c.Offers), _archived.AddRange(c.Archived), Sizes.Add(new(c.Offers.Length, c.Archived.Length)), _partSeqs.Add(seq));

    /// <summary>The whole decision, as one entry would hold it (no "parts"), with the last part added.</summary>
    public AllocationDecided Assemble(AllocationContinued last) =>
        First with { Offers = [.. _offers, .. last.Offers], Archived = [.. _archived, .. last.Archived], Parts = 1 };
}
