using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Signals;

namespace KinderQueue.Core.Verification;

/// <summary>
/// The anomaly signals (SPEC.md §17.9): recomputed from every log verified; reviews the ledger
/// cannot apply are findings; a published signals document is compared when the log reaches its size.
/// </summary>
public sealed partial class LogVerifier
{
    private readonly SignalLedger _signals = new();
    private PublishedSignals? _publishedSignals;
    private bool _signalsCompared;

    /// <summary>A published signals document: its bytes, size and each signal's id and canonical bytes.</summary>
    private sealed record PublishedSignals(string Subject, ReadOnlyMemory<byte> Json, SignalsJson.Published Document);

    /// <summary>Observes an entry the fold accepted; false when it is a review the ledger refuses (§17.6).</summary>
    private bool ObserveSignals(LogEntry entry)
    {
        // A decision in parts is observed as the whole decision at its last part (SPEC.md §8.5).
        if (_state.LastEffect is not { } effect) return true;
        var before = _signals.ReviewProblems.Count;
        _signals.Observe(entry, effect, _state);
        if (_signals.ReviewProblems.Count == before) return true;
        var p = _signals.ReviewProblems[^1].Problem;
        return Fail(VerificationCheck.Signals, entry.Seq, p.Code, p.Path, $"The ledger refuses this review: {p.Message}");
    }

    private void ReadSignals(CheckpointEvidence evidence)
    {
        // Compared in canonical form: a document saved pretty-printed is still the document served.
        var canonical = CanonicalJson.Canonicalize(evidence.Json.ToArray());
        if (!canonical.Success)
        {
            var bad = canonical.Problems[0];
            Fail(VerificationCheck.Signals, null, bad.Code, bad.Path, $"Not a signals document: {bad.Message}", evidence.Subject);
            return;
        }
        if (SignalsJson.ReadPublished(canonical.Value!, out var problem) is { } document)
            _publishedSignals = new PublishedSignals(evidence.Subject, canonical.Value!, document);
        else
            Fail(VerificationCheck.Signals, null, problem!.Code, problem.Path, $"Not a signals document: {problem.Message}", evidence.Subject);
    }

    /// <summary>
    /// At the published document's size: the same bytes as the recomputed one, or the first of: a
    /// published signal the log does not raise (<c>signals.invented</c>), a recomputed one the document
    /// lacks (<c>signals.missing</c>), a signal that differs, then the rest (<c>signals.differs</c>).
    /// </summary>
    private bool CheckSignals()
    {
        if (_publishedSignals is not { } published || _signalsCompared || Size != published.Document.Size) return true;
        _signalsCompared = true;
        var ours = _signals.Document();
        var bytes = SignalsJson.Write(ours);
        if (bytes.AsSpan().SequenceEqual(published.Json.Span)) return true;

        var seq = Size == 0 ? (long?)null : Size - 1;
        var recomputed = ours.Signals.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var theirs = published.Document.Signals;
        for (var i = 0; i < theirs.Count; i++)
        {
            if (!recomputed.ContainsKey(theirs[i].Id))
                return Fail(VerificationCheck.Signals, seq, "signals.invented", $"$.signals[{i}]",
                    $"The document publishes signal {theirs[i].Id}, which the log's first {Size} entries do not raise.", published.Subject);
        }
        var listed = theirs.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var s in ours.Signals)
        {
            if (!listed.Contains(s.Id))
                return Fail(VerificationCheck.Signals, seq, "signals.missing", "$.signals",
                    $"The log raises {s.Kind} signal {s.Id} at seq {s.RaisedSeq}, and the document does not publish it.", published.Subject);
        }
        for (var i = 0; i < theirs.Count; i++)
        {
            var w = new CanonicalJsonWriter(512);
            SignalsJson.WriteSignal(w, recomputed[theirs[i].Id]);
            var mine = w.ToArray();
            var their = System.Text.Encoding.UTF8.GetBytes(theirs[i].Json);
            if (mine.AsSpan().SequenceEqual(their)) continue;
            var at = JsonDiff.FirstDifference(their, mine, out var p, out var r);
            return Fail(VerificationCheck.Signals, seq, "signals.differs", $"$.signals[{i}]{at[1..]}",
                $"Signal {theirs[i].Id} differs from the one recomputed from the log at {at}: published {p}, recomputed {r}.", published.Subject);
        }
        var path = JsonDiff.FirstDifference(published.Json, bytes, out var pv, out var rv);
        return Fail(VerificationCheck.Signals, seq, "signals.differs", path,
            $"The signals document differs from the one recomputed from the log at {path}: published {pv}, recomputed {rv}.", published.Subject);
    }
}
