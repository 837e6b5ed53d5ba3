using System.Collections.Frozen;
using System.Text.Json;
using KinderQueue.Core.Signals;

namespace KinderQueue.Api.Signals;

/// <summary>
/// The signals of one public snapshot, computed once and served to everyone: the canonical document
/// (Core's SignalsJson, the bytes kq verify recomputes), each signal's part of it, and the
/// explanation hashes the timelines cite (the only ones whose texts are ever served).
/// </summary>
public sealed class SignalsPublication
{
    private SignalsPublication(SignalsDocument document, byte[] json, FrozenDictionary<string, PublishedSignal> byId, IReadOnlyList<string> cited)
    {
        Document = document;
        Json = json;
        ById = byId;
        CitedHashes = cited;
    }

    public SignalsDocument Document { get; }

    /// <summary>The canonical JSON of <see cref="Document"/>.</summary>
    public byte[] Json { get; }

    public FrozenDictionary<string, PublishedSignal> ById { get; }

    /// <summary>Every explanation hash a review cites, once each, in hash order.</summary>
    public IReadOnlyList<string> CitedHashes { get; }

    public static SignalsPublication Of(SignalsDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var json = SignalsJson.Write(document);
        // Each signal's bytes are cut from the document itself, so one signal reads exactly as in the whole.
        using var parsed = JsonDocument.Parse(json);
        var parts = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var element in parsed.RootElement.GetProperty("signals").EnumerateArray())
            parts[element.GetProperty("id").GetString()!] = System.Text.Encoding.UTF8.GetBytes(element.GetRawText());
        var byId = document.Signals.ToFrozenDictionary(s => s.Id, s => new PublishedSignal(s, parts[s.Id]), StringComparer.Ordinal);
        var cited = document.Signals.SelectMany(s => s.Timeline).Select(t => t.Explanation).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new SignalsPublication(document, json, byId, cited);
    }
}

/// <summary>One signal: its view and its canonical JSON as in the document.</summary>
public sealed record PublishedSignal(SignalView View, byte[] Json);
