using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.State;
using KinderQueue.Core.Verification;

namespace KinderQueue.Core.Privacy;

/// <summary>
/// Measures what a public log discloses (<see cref="PrivacyReport"/>): feed it the exported lines in
/// order (<see cref="Add"/>), then take the report (<see cref="Complete"/>). Pure like the verifier: the
/// caller streams the lines from a file or a service, so the log is never held in memory (the analyzer
/// keeps the folded state, which the figures are computed from).
/// </summary>
/// <remarks>
/// Each line is read as the verifier reads it (<see cref="EntryLineReader"/>: canonical entry bytes,
/// the payload decoded) and folded (<see cref="QueueState"/>), because what is disclosed is what a
/// validator replaying the log gets: the state's applications and the code lists that apply to each
/// entry. The chain, the checkpoints and the decisions are not checked here; that is <c>kq verify</c>.
/// A line that cannot be read or folded stops the run (<see cref="Problem"/>): figures of half a log
/// describe nothing.
/// </remarks>
public sealed class PrivacyAnalyzer : IDisposable
{
    private readonly EntryLineReader _reader = new();
    private readonly QueueState _state = new();
    private readonly PublicStrings _strings = new();
    private readonly ActorLinks _actors = new();
    // The default tier of the criteria each application was submitted under: a claim of any other tier makes it non-general.
    private readonly Dictionary<string, string> _defaultTier = new(StringComparer.Ordinal);
    private readonly byte[] _hash = new byte[MerkleHash.SizeInBytes];
    private readonly byte[] _prev = new byte[MerkleHash.SizeInBytes];

    /// <summary>Entries read and folded so far.</summary>
    public long Size => _state.Size;

    /// <summary>Why the run stopped; null while every line has been read.</summary>
    public PrivacyProblem? Problem { get; private set; }

    /// <summary>Reads the next lines (each without its newline). False once a problem has been found: stop feeding.</summary>
    public bool Add(IReadOnlyList<ReadOnlyMemory<byte>> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (Problem is not null) return false;
        for (var i = 0; i < lines.Count; i++)
        {
            if (!Step(lines[i])) return false;
        }
        return true;
    }

    private bool Step(ReadOnlyMemory<byte> bytes)
    {
        var line = default(ReadLine);
        _reader.Read(bytes, ref line, _hash, _prev);
        var seq = Size;
        if (line.EntryProblem is { } bad) return Fail(seq, bad, "The line is not a well-formed entry");
        if (line.Event is not { } e) return Fail(seq, line.EventProblem!, $"The payload of this {line.Type} entry does not decode");

        var entry = new LogEntry(line.Seq, line.At, line.Actor, line.Type, line.Payload, _prev.ToArray());
        // What applies to this entry is decided on the state before it, as the fold decides it (SPEC.md §4.5, §4.6).
        var date = _state.LocalDate(entry.At);
        var codes = _state.ReasonCodesOn(date);
        var criteria = _state.CriteriaInForce(date);
        if (_state.Apply(entry, e) is { } refused) return Fail(seq, refused, $"The fold refuses this {entry.Type} entry");

        _strings.Scan(entry.Seq, entry.Type, entry.Payload, codes);
        _actors.Observe(entry.Actor, e);
        if (e is ApplicationSubmitted s) _defaultTier[s.Number] = criteria!.DefaultTier.Id;
        return true;
    }

    private bool Fail(long seq, ValidationProblem p, string what)
    {
        Problem = new PrivacyProblem(seq, p.Code, p.Path, $"{what}: {p.Message}");
        return false;
    }

    /// <summary>The report on the entries read so far.</summary>
    public PrivacyReport Complete()
    {
        var traits = _state.Applications.Values.Select(a => new ApplicationTraits(a.District, a.BirthMonth, a.Preferences,
            _state.LocalDate(a.RegisteredAt), a.Claims.Any(c => c.Tier != _defaultTier[a.Number]))).ToList();
        return new PrivacyReport(Size, traits.Count, traits.Count(t => t.NonGeneral), Anonymity.Measure(traits),
            _actors.ParentActors, _actors.Linked(), _strings.Counts, _strings.Typed, _strings.Institutional);
    }

    public void Dispose() => _reader.Dispose();
}
