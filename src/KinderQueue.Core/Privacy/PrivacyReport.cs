using System.Collections.Immutable;

namespace KinderQueue.Core.Privacy;

/// <summary>
/// What a public log discloses (VERIFYING.md, "kq privacy"; SPEC.md §16.1): how identifiable its
/// applications are by fields a neighbour could know, which parent actors link applications, and which
/// public strings look typed by a person.
/// </summary>
/// <param name="Entries">Entries read.</param>
/// <param name="NonGeneral">Applications with at least one claim of a tier other than the default tier.</param>
/// <param name="Anonymity">Per set of <see cref="QuasiIdentifierSet.Standard"/>: all applications, then the non-general ones.</param>
/// <param name="ParentActors">Distinct actors with the role <c>parent</c>.</param>
/// <param name="Strings">How many public strings of each kind (kinds with none are absent).</param>
/// <param name="Typed">Every string that looks typed by a person, in log order.</param>
/// <param name="Institutional">Every institutional name, in log order.</param>
public sealed record PrivacyReport(
    long Entries,
    int Applications,
    int NonGeneral,
    ImmutableArray<AnonymityFigures> Anonymity,
    int ParentActors,
    ImmutableArray<LinkedActor> LinkedActors,
    ImmutableSortedDictionary<StringKind, long> Strings,
    ImmutableArray<TypedString> Typed,
    ImmutableArray<InstitutionalString> Institutional)
{
    /// <summary>No public event carries text typed by a person (<c>kq privacy</c> exits 0).</summary>
    public bool Clean => Typed.IsEmpty;
}

/// <summary>The log could not be read to the end: a line that is not an entry, a payload that does not decode, an entry the fold refuses.</summary>
public sealed record PrivacyProblem(long Seq, string Code, string Path, string Message)
{
    public override string ToString() => $"seq {Seq}: {Message} ({Code} at {Path})";
}
