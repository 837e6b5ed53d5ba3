using System.Collections.Immutable;
using KinderQueue.Core.Encoding;
using NodaTime;

namespace KinderQueue.Core.Signals;

/// <summary>
/// What a signal is about (SPEC.md §17.4): the members its rule groups by; the others are null.
/// Together with the kind it makes the signal's id, so it never changes once the signal is raised.
/// </summary>
public sealed record SignalSubject(
    string? District = null,
    string? Kindergarten = null,
    string? Actor = null,
    string? Channel = null,
    string? Round = null,
    YearMonth? Month = null,
    int? Year = null)
{
    /// <summary>The canonical key: the JSON object with all seven members, null where absent (SPEC.md §17.4).</summary>
    public string Key()
    {
        var w = new CanonicalJsonWriter(128);
        Write(w);
        return System.Text.Encoding.UTF8.GetString(w.WrittenSpan);
    }

    public void Write(CanonicalJsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.StartObject();
        w.PropertyOrNull("actor", Actor);
        w.PropertyOrNull("channel", Channel);
        w.PropertyOrNull("district", District);
        w.PropertyOrNull("kindergarten", Kindergarten);
        w.PropertyOrNull("month", Month is { } m ? Formats.Format(m) : null);
        w.PropertyOrNull("round", Round);
        w.Key("year");
        if (Year is { } y) w.Integer(y);
        else w.Null();
        w.EndObject();
    }
}

/// <summary>One accepted review of a signal: the <c>signal.reviewed</c> entry and what it says (SPEC.md §17.6).</summary>
public sealed record SignalReviewStep(long Seq, Instant At, string Actor, string Status, string Outcome, string Explanation);

/// <summary>
/// A signal as published (SPEC.md §17.5): its rule, subject, the entry that raised it, the measured
/// value against the threshold, every entry behind it, its status and its review timeline.
/// </summary>
public sealed record SignalView(
    string Id,
    string Kind,
    SignalSubject Subject,
    long RaisedSeq,
    Instant RaisedAt,
    long Value,
    long Threshold,
    ImmutableArray<long> Entries,
    string Status,
    ImmutableArray<SignalReviewStep> Timeline)
{
    /// <summary>Time from the raising entry to the first review; null while nobody has responded.</summary>
    public Duration? FirstResponse => Timeline.IsDefaultOrEmpty ? null : Timeline[0].At - RaisedAt;
}

/// <summary>Signals per status; <see cref="Total"/> is their sum.</summary>
public sealed record SignalCounts(long New, long Investigating, long Explained, long Confirmed)
{
    public long Total => New + Investigating + Explained + Confirmed;
}

/// <summary>The counts of one kind.</summary>
public sealed record SignalKindCounts(string Kind, SignalCounts Counts);

/// <summary>
/// Time from signal to first public response over the signals that have one (SPEC.md §17.7):
/// nearest-rank median and 90th percentile in whole seconds (null when none responded), and how
/// many responded within one hour (the brief's target).
/// </summary>
public sealed record SignalResponseTimes(long Responded, long? MedianSeconds, long? P90Seconds, long WithinOneHour);

/// <summary>Signals confirmed as violations in one month (the local month of the confirming review).</summary>
public sealed record SignalMonthCount(YearMonth Month, long Confirmed);

/// <summary>The summary figures of SPEC.md §17.7, as the dashboard shows them.</summary>
public sealed record SignalSummary(
    SignalCounts Total,
    ImmutableArray<SignalKindCounts> ByKind,
    SignalResponseTimes FirstResponse,
    ImmutableArray<SignalMonthCount> ConfirmedByMonth);

/// <summary>Every signal of the first <see cref="Size"/> entries of the log, in raise order, and their summary.</summary>
public sealed record SignalsDocument(long Size, ImmutableArray<SignalView> Signals, SignalSummary Summary);
