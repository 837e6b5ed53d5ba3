using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.State;

namespace KinderQueue.Core.Privacy;

/// <summary>What a public string is, judged by its field and its value.</summary>
public enum StringKind
{
    /// <summary>An id of SPEC.md §3.1 (district, kindergarten, group, tier), a criteria version or a round id.</summary>
    Id,
    /// <summary>An application number: a random pseudonym.</summary>
    Number,
    /// <summary>One of a field's fixed values: channel, kind, response.</summary>
    Enumeration,
    /// <summary>A date, a month or an instant (SPEC.md §3.2).</summary>
    Time,
    /// <summary>64 lower-case hex: the commitment.</summary>
    Hash,
    /// <summary>A code of the published list that applies to the field (SPEC.md §4.6).</summary>
    Code,
    /// <summary>A name of a district or a kindergarten, or a round's label: typed by staff about an institution, public by design.</summary>
    Institutional,
    /// <summary>Inside a published criteria document: the region's published rules.</summary>
    Criteria,
    /// <summary>Anything else: text that looks typed by a person.</summary>
    Typed,
}

/// <summary>
/// A public string that looks typed by a person: where it is and what it looks like, never the text
/// itself (<see cref="Redaction"/>).
/// </summary>
/// <param name="Path">JSON path in the payload (SPEC.md §5), e.g. <c>$.reason</c>.</param>
/// <param name="Length">Characters in the text.</param>
/// <param name="Why">Why the value is not one of the public forms, in words for the report.</param>
public sealed record TypedString(long Seq, string Type, string Path, string Preview, int Length, string Why);

/// <summary>An institutional name in full: public by design, listed so that someone can read them through once.</summary>
public sealed record InstitutionalString(long Seq, string Type, string Path, string Value);

/// <summary>
/// Looks at every string value of every event payload and says what it is: an id, a code of the list
/// that applies, a time, a hash, an institutional name, criteria content, or typed text.
/// </summary>
/// <remarks>
/// The field decides what a value ought to be (a reason ought to be a code, a district an id) and the
/// value is checked against that form; a value that does not have it is typed text. The fold already
/// refuses most malformed values (SPEC.md §8.3); what it must let through are the reasons and legal
/// bases of criteria published before the code lists (§4.6), which hold whatever was typed, and the
/// names and round labels of §5.1. Walking the JSON rather than the decoded event means a string
/// cannot escape the look by sitting in a field this code forgot.
/// </remarks>
internal sealed partial class PublicStrings
{
    private enum Form
    {
        Id,
        Number,
        Version,
        Round,
        Enumeration,
        Date,
        Month,
        Instant,
        Hash,
        Name,
        Reason,
    }

    private readonly record struct Rule(Form Form, ReasonList List = ReasonList.Capacity, ImmutableArray<string> Values = default);

    private static readonly Rule Id = new(Form.Id);
    private static readonly Rule Number = new(Form.Number);
    private static readonly Rule Date = new(Form.Date);
    private static readonly Rule Name = new(Form.Name);

    /// <summary>Every string field of SPEC.md §5 by "type path", array indices written <c>[]</c>.</summary>
    private static readonly Dictionary<string, Rule> Rules = new(StringComparer.Ordinal)
    {
        ["district.registered $.id"] = Id,
        ["district.registered $.name"] = Name,
        ["kindergarten.registered $.catchment[]"] = Id,
        ["kindergarten.registered $.district"] = Id,
        ["kindergarten.registered $.id"] = Id,
        ["kindergarten.registered $.name"] = Name,
        ["capacity.loaded $.reason"] = new(Form.Reason, ReasonList.Capacity),
        ["capacity.loaded $.rows[].group"] = Id,
        ["capacity.loaded $.rows[].kindergarten"] = Id,
        ["application.submitted $.birthMonth"] = new(Form.Month),
        ["application.submitted $.channel"] = new(Form.Enumeration, Values: ApplicationSubmitted.Channels),
        ["application.submitted $.claims[].kindergarten"] = Id,
        ["application.submitted $.claims[].tier"] = Id,
        ["application.submitted $.commitment"] = new(Form.Hash),
        ["application.submitted $.desiredStart"] = Date,
        ["application.submitted $.district"] = Id,
        ["application.submitted $.kind"] = new(Form.Enumeration, Values: ApplicationSubmitted.Kinds),
        ["application.submitted $.number"] = Number,
        ["application.submitted $.preferences[]"] = Id,
        ["application.submitted $.registeredAt"] = new(Form.Instant),
        ["claim.reviewed $.number"] = Number,
        ["claim.reviewed $.reason"] = new(Form.Reason, ReasonList.ClaimReview),
        ["application.changed $.desiredStart"] = Date,
        ["application.changed $.number"] = Number,
        ["application.changed $.preferences[]"] = Id,
        ["application.withdrawn $.number"] = Number,
        ["application.withdrawn $.reason"] = new(Form.Reason, ReasonList.Withdrawal),
        ["allocation.decided $.archived[]"] = Number,
        ["allocation.decided $.criteria"] = new(Form.Version),
        ["allocation.decided $.date"] = Date,
        ["allocation.decided $.offers[].deadline"] = Date,
        ["allocation.decided $.offers[].group"] = Id,
        ["allocation.decided $.offers[].kindergarten"] = Id,
        ["allocation.decided $.offers[].number"] = Number,
        ["allocation.decided $.round"] = new(Form.Round),
        ["allocation.decided $.startDate"] = Date,
        ["offer.responded $.number"] = Number,
        ["offer.responded $.response"] = new(Form.Enumeration, Values: ["accept", "decline"]),
        ["offers.expired $.asOf"] = Date,
        ["offers.expired $.numbers[]"] = Number,
        ["enrolment.confirmed $.number"] = Number,
        ["enrolment.exceptional $.group"] = Id,
        ["enrolment.exceptional $.kindergarten"] = Id,
        ["enrolment.exceptional $.legalBasis"] = new(Form.Reason, ReasonList.ExceptionalBasis),
        ["enrolment.exceptional $.number"] = Number,
        ["signal.reviewed $.explanation"] = new(Form.Hash),
        ["signal.reviewed $.outcome"] = new(Form.Reason, ReasonList.SignalOutcome),
        ["signal.reviewed $.signal"] = Id,
        ["signal.reviewed $.status"] = new(Form.Enumeration, Values: Signals.SignalStatuses.Reviewed),
    };

    /// <summary>A criteria version (SPEC.md §3.1).</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,31}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    /// <summary>
    /// A round id that is an identifier (<c>2027-main</c>, <c>demo-2027-05-01</c>): a version's
    /// characters up to the round id's 64 (SPEC.md §5.1). Anything else was written as a label.
    /// </summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoundIdPattern();

    private readonly Dictionary<StringKind, long> _counts = [];
    private readonly List<TypedString> _typed = [];
    private readonly List<InstitutionalString> _institutional = [];

    public ImmutableSortedDictionary<StringKind, long> Counts => _counts.ToImmutableSortedDictionary();
    public ImmutableArray<TypedString> Typed => [.. _typed];
    public ImmutableArray<InstitutionalString> Institutional => [.. _institutional];

    /// <param name="codes">The code lists that apply to this entry, as the fold decides them (SPEC.md §4.6).</param>
    public void Scan(long seq, string type, ReadOnlyMemory<byte> payload, ReasonCodes codes)
    {
        using var doc = JsonDocument.Parse(payload);
        if (type == CriteriaPublished.TypeName)
        {
            // The whole document is the region's published rules: names, labels, legal texts.
            Count(doc.RootElement, StringKind.Criteria);
            return;
        }
        Walk(seq, type, doc.RootElement, "$", "$", codes);
    }

    private void Count(JsonElement e, StringKind kind)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Count(p.Value, kind);
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray()) Count(item, kind);
                break;
            case JsonValueKind.String:
                _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
                break;
        }
    }

    /// <param name="path">The JSON path with indices (reported); <paramref name="pattern"/> the same with <c>[]</c> (looked up).</param>
    private void Walk(long seq, string type, JsonElement e, string path, string pattern, ReasonCodes codes)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Walk(seq, type, p.Value, $"{path}.{p.Name}", $"{pattern}.{p.Name}", codes);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray()) Walk(seq, type, item, $"{path}[{i++}]", pattern + "[]", codes);
                break;
            case JsonValueKind.String:
                var value = e.GetString()!;
                Rule? rule = Rules.TryGetValue($"{type} {pattern}", out var r) ? r : null;
                var (kind, why) = Classify(rule, value, codes);
                _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
                if (kind == StringKind.Typed) _typed.Add(new TypedString(seq, type, path, Redaction.Preview(value), Redaction.Length(value), why!));
                else if (kind == StringKind.Institutional) _institutional.Add(new InstitutionalString(seq, type, path, value));
                break;
        }
    }

    private static (StringKind Kind, string? Why) Classify(Rule? rule, string value, ReasonCodes codes)
    {
        if (rule is not { } r)
            return CriteriaValidator.IsValidId(value) ? (StringKind.Id, null) : (StringKind.Typed, "a field SPEC.md §5 does not define, holding text");
        return r.Form switch
        {
            Form.Id => Expect(CriteriaValidator.IsValidId(value), StringKind.Id, "not an id (SPEC.md §3.1)"),
            Form.Number => Expect(ApplicationRules.IsValidNumber(value), StringKind.Number, "not an application number"),
            Form.Version => Expect(VersionPattern().IsMatch(value), StringKind.Id, "not a criteria version (SPEC.md §3.1)"),
            // A labelled round is staff naming a round, like a kindergarten's name: public, and listed.
            Form.Round => RoundIdPattern().IsMatch(value) ? (StringKind.Id, null) : (StringKind.Institutional, null),
            Form.Enumeration => Expect(r.Values.Contains(value), StringKind.Enumeration, $"not one of {string.Join(", ", r.Values)}"),
            Form.Date => Expect(Formats.Date.Parse(value).Success, StringKind.Time, "not a date (SPEC.md §3.2)"),
            Form.Month => Expect(Formats.Month.Parse(value).Success, StringKind.Time, "not a month (SPEC.md §3.2)"),
            Form.Instant => Expect(Formats.Instant.Parse(value).Success, StringKind.Time, "not an instant (SPEC.md §3.2)"),
            Form.Hash => Expect(IsHash(value), StringKind.Hash, "not 64 lower-case hex digits (SPEC.md §3.3)"),
            Form.Name => (StringKind.Institutional, null),
            Form.Reason => codes.Find(r.List, value) is not null ? (StringKind.Code, null) : (StringKind.Typed, NotACode(r.List, value, codes)),
            _ => throw new ArgumentOutOfRangeException(nameof(rule)),
        };
    }

    /// <summary>
    /// Under criteria without lists (SPEC.md §4.6) even a word shaped like a code is not one: no list says
    /// what it means, and nothing tells it from a word somebody typed. The reason says which case it is.
    /// </summary>
    private static string NotACode(ReasonList list, string value, ReasonCodes codes)
    {
        var member = ReasonCodes.Member(list);
        if (codes.IsPublished) return $"not a code of the published '{member}' list";
        return CriteriaValidator.IsValidId(value)
            ? $"the criteria that apply publish no '{member}' codes (a log from before SPEC.md §4.6): shaped like a code, but no list defines it"
            : $"the criteria that apply publish no '{member}' codes (a log from before SPEC.md §4.6), so the field holds what was typed";
    }

    private static (StringKind, string?) Expect(bool matches, StringKind kind, string why) => matches ? (kind, null) : (StringKind.Typed, why);

    private static bool IsHash(string value) =>
        value.Length == 64 && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
