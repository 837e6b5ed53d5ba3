using System.Security.Cryptography;
using System.Text;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Signals;
using KinderQueue.Core.State;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;

namespace KinderQueue.Api.Demo;

/// <summary>
/// The demo's own view of the signals its history raised, folded from the store, so that the
/// department's answers (<c>signal.reviewed</c>) name signals that exist and move them only as
/// SPEC.md §17.6 allows: the same <see cref="SignalLedger.CheckReview"/> the service asks before
/// appending a review. Folded only when a review is due, from where it stopped.
/// </summary>
internal sealed class DemoSignals(ILogStore store)
{
    private readonly QueueState _state = new();

    public SignalLedger Ledger { get; } = new();

    public async Task CatchUpAsync(long size, CancellationToken ct)
    {
        await foreach (var stored in store.ReadAsync(_state.Size, size, ct))
        {
            var entry = stored.ToLogEntry();
            var decoded = EventCodec.Decode(entry.Type, entry.Payload);
            if (!decoded.Success) throw new LogCorruptException(entry.Seq, $"payload: {decoded.Problems[0]}");
            if (_state.Apply(entry, decoded.Value!) is { } problem) throw new LogCorruptException(entry.Seq, $"does not fold: {problem}");
            // A decision in parts is observed as the whole decision at its last part (SPEC.md §8.5).
            if (_state.LastEffect is { } effect) Ledger.Observe(entry, effect, _state);
        }
    }

    /// <summary>The first signal of a kind that <paramref name="about"/> accepts, in the order the log raised them.</summary>
    public SignalView? Find(string kind, Func<SignalSubject, bool> about) =>
        Ledger.Document().Signals.FirstOrDefault(s => s.Kind == kind && about(s.Subject));

    /// <summary>The explanation field of a review: SHA-256 of the text's UTF-8, lower-case hex (the text itself is not in the log).</summary>
    public static string Hash(string text) => Hex.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
