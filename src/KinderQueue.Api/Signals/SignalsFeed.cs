using System.Globalization;
using System.Text;
using System.Xml;
using KinderQueue.Core.Signals;
using KinderQueue.Storage.Signals;
using NodaTime;
using NodaTime.Text;

namespace KinderQueue.Api.Signals;

/// <summary>
/// The signals as an Atom feed (RFC 4287) for journalists and parents' chats: one entry per signal,
/// updated at its last review (or when it was raised), with its status, its subject and each step
/// of its timeline with the published explanation. Only what the log publishes and the explanation
/// texts: nothing else is known here.
/// </summary>
public static class SignalsFeed
{
    public const string ContentType = "application/atom+xml; charset=utf-8";
    private const string AtomNs = "http://www.w3.org/2005/Atom";

    /// <param name="document">The signals of the current public snapshot.</param>
    /// <param name="texts">Stored explanations by hash (those that have one).</param>
    /// <param name="site">The site's absolute base, ending in '/': links and ids point at its signals page.</param>
    /// <param name="origin">The log's origin (its checkpoint name): the feed's author and part of its id.</param>
    /// <param name="fallbackUpdated">The feed's time when it has no entry.</param>
    public static byte[] Write(SignalsDocument document, IReadOnlyDictionary<string, SignalExplanation> texts, Uri site, string origin, Instant fallbackUpdated)
    {
        ArgumentNullException.ThrowIfNull(document);
        var page = new Uri(site, "signals.html");
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, CheckCharacters = true };
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("feed", AtomNs);
            xml.WriteElementString("id", AtomNs, $"{page}?log={Uri.EscapeDataString(origin)}");
            xml.WriteElementString("title", AtomNs, "Сигналы / Signals — " + origin);
            xml.WriteElementString("subtitle", AtomNs,
                "Anomaly signals derived from the public log, and the department's public response to each (SPEC §17).");
            var updated = document.Signals.Length == 0 ? fallbackUpdated : document.Signals.Max(UpdatedOf);
            xml.WriteElementString("updated", AtomNs, Time(updated));
            xml.WriteStartElement("link", AtomNs);
            xml.WriteAttributeString("rel", "self");
            xml.WriteAttributeString("type", "application/atom+xml");
            xml.WriteAttributeString("href", new Uri(site, "api/v1/public/signals.atom").ToString());
            xml.WriteEndElement();
            xml.WriteStartElement("link", AtomNs);
            xml.WriteAttributeString("rel", "alternate");
            xml.WriteAttributeString("type", "text/html");
            xml.WriteAttributeString("href", page.ToString());
            xml.WriteEndElement();
            xml.WriteStartElement("author", AtomNs);
            xml.WriteElementString("name", AtomNs, origin);
            xml.WriteEndElement();
            // Newest first, as readers expect; ties by id so the bytes are stable.
            foreach (var signal in document.Signals.OrderByDescending(UpdatedOf).ThenBy(s => s.Id, StringComparer.Ordinal))
                WriteEntry(xml, signal, texts, page);
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }
        return buffer.ToArray();
    }

    /// <summary>When the signal last changed in public: its last review, else its raising.</summary>
    public static Instant UpdatedOf(SignalView signal) => signal.Timeline.Length == 0 ? signal.RaisedAt : signal.Timeline[^1].At;

    private static void WriteEntry(XmlWriter xml, SignalView signal, IReadOnlyDictionary<string, SignalExplanation> texts, Uri page)
    {
        xml.WriteStartElement("entry", AtomNs);
        var link = $"{page}#{signal.Id}";
        xml.WriteElementString("id", AtomNs, link);
        xml.WriteElementString("title", AtomNs, $"{signal.Kind}: {signal.Status} — {Subject(signal.Subject)}");
        xml.WriteElementString("published", AtomNs, Time(signal.RaisedAt));
        xml.WriteElementString("updated", AtomNs, Time(UpdatedOf(signal)));
        xml.WriteStartElement("link", AtomNs);
        xml.WriteAttributeString("rel", "alternate");
        xml.WriteAttributeString("type", "text/html");
        xml.WriteAttributeString("href", link);
        xml.WriteEndElement();
        Category(xml, signal.Kind, "kind");
        Category(xml, signal.Status, "status");
        var latest = signal.Timeline.Length == 0 ? null : signal.Timeline[^1];
        xml.WriteElementString("summary", AtomNs, latest is null
            ? $"Status {signal.Status}: raised at entry {signal.RaisedSeq}, value {signal.Value} (threshold {signal.Threshold}); no response yet."
            : $"Status {signal.Status} ({latest.Outcome}): {TextOf(latest.Explanation, texts)}");
        xml.WriteStartElement("content", AtomNs);
        xml.WriteAttributeString("type", "text");
        xml.WriteString(Content(signal, texts));
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private static void Category(XmlWriter xml, string term, string scheme)
    {
        xml.WriteStartElement("category", AtomNs);
        xml.WriteAttributeString("term", term);
        xml.WriteAttributeString("scheme", $"https://kinderqueue.example/signals/{scheme}");
        xml.WriteEndElement();
    }

    private static string Content(SignalView signal, IReadOnlyDictionary<string, SignalExplanation> texts)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{signal.Kind} ({Subject(signal.Subject)}): raised {Time(signal.RaisedAt)} at entry {signal.RaisedSeq}; value {signal.Value}, threshold {signal.Threshold}; entries {string.Join(", ", signal.Entries)}.");
        foreach (var step in signal.Timeline)
            text.Append(CultureInfo.InvariantCulture, $"\n{Time(step.At)} entry {step.Seq}: {step.Status} ({step.Outcome}) — {TextOf(step.Explanation, texts)}");
        return text.ToString();
    }

    private static string TextOf(string hash, IReadOnlyDictionary<string, SignalExplanation> texts) =>
        texts.TryGetValue(hash, out var e)
            ? e.Text ?? "[explanation redacted]"
            : "[explanation not available]";

    /// <summary>The subject as the log publishes it: the named parts only.</summary>
    public static string Subject(SignalSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        List<string> parts = [];
        if (subject.District is { } d) parts.Add("district " + d);
        if (subject.Kindergarten is { } k) parts.Add("kindergarten " + k);
        if (subject.Actor is { } a) parts.Add("actor " + a);
        if (subject.Channel is { } c) parts.Add("channel " + c);
        if (subject.Round is { } r) parts.Add("round " + r);
        if (subject.Month is { } m) parts.Add("month " + m.ToString("uuuu-MM", CultureInfo.InvariantCulture));
        if (subject.Year is { } y) parts.Add("year " + y.ToString(CultureInfo.InvariantCulture));
        return parts.Count == 0 ? "region" : string.Join(", ", parts);
    }

    private static string Time(Instant at) => InstantPattern.ExtendedIso.Format(at);
}
