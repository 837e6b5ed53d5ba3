using System.Collections.Immutable;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using NodaTime;

namespace KinderQueue.Core.Verification;

/// <summary>
/// Decodes the payloads that make up nine tenths of a real log (submissions, answers to offers,
/// enrolments, claim reviews) without a JSON document: the canonical layout of SPEC.md §5 is read
/// in key order, the event is built, and it is encoded again with <see cref="EventCodec.Write"/>. Only
/// when those bytes equal the payload is the event taken; any other payload (another type, an escape,
/// a value out of range, a mismatch) is decoded by <see cref="EventCodec.Decode"/>, which is
/// authoritative and names the problem. So this changes how fast, never what is decoded.
/// </summary>
internal sealed class PayloadReader
{
    private const int InternLimit = 1 << 16;
    private readonly CanonicalJsonWriter _writer = new(1024);
    // Kindergarten, district, tier, channel and kind ids repeat across a log: one string each.
    private readonly Dictionary<string, string> _interned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public PayloadReader() => _lookup = _interned.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Payloads decoded without the reference decoder (tests check that the fast path is taken).</summary>
    internal long FastDecoded { get; private set; }

    public Parsed<LogEvent> Decode(string type, ReadOnlyMemory<byte> payload)
    {
        LogEvent? e = type switch
        {
            ApplicationSubmitted.TypeName => Submitted(payload.Span),
            OfferResponded.TypeName => Responded(payload.Span),
            EnrolmentConfirmed.TypeName => Confirmed(payload.Span),
            ClaimReviewed.TypeName => Reviewed(payload.Span),
            _ => null,
        };
        if (e is not null)
        {
            _writer.Reset();
            EventCodec.Write(_writer, e);
            if (_writer.WrittenSpan.SequenceEqual(payload.Span))
            {
                FastDecoded++;
                return Parsed<LogEvent>.Ok(e);
            }
        }
        return EventCodec.Decode(type, payload);
    }

    private ApplicationSubmitted? Submitted(ReadOnlySpan<byte> s)
    {
        var c = new Cursor(s);
        if (!c.Lit("{\"birthMonth\":\""u8) || !c.Month(out var birth) || !c.Lit("\",\"channel\":"u8) || !Str(ref c, true, out var channel)
            || !c.Lit(",\"claims\":["u8))
            return null;
        var claims = ImmutableArray<PriorityClaim>.Empty;
        if (!c.Lit("]"u8))
        {
            var builder = ImmutableArray.CreateBuilder<PriorityClaim>();
            do
            {
                string? kg = null;
                if (!c.Lit("{\"kindergarten\":"u8)) return null;
                if (!c.Lit("null"u8) && !Str(ref c, true, out kg, allowEmpty: true)) return null;
                if (!c.Lit(",\"tier\":"u8) || !Str(ref c, true, out var tier) || !c.Lit("}"u8)) return null;
                builder.Add(new PriorityClaim(tier, kg));
            }
            while (c.Lit(","u8));
            if (!c.Lit("]"u8)) return null;
            claims = builder.ToImmutable();
        }
        if (!c.Lit(",\"commitment\":"u8) || !Str(ref c, false, out var commitment) || !c.Lit(",\"desiredStart\":\""u8) || !c.Date(out var desired)
            || !c.Lit("\",\"district\":"u8) || !Str(ref c, true, out var district) || !c.Lit(",\"kind\":"u8) || !Str(ref c, true, out var kind)
            || !c.Lit(",\"number\":"u8) || !Str(ref c, false, out var number) || !c.Lit(",\"preferences\":["u8))
            return null;
        var prefs = ImmutableArray.CreateBuilder<string>(5);
        if (!c.Lit("]"u8))
        {
            do
            {
                if (!Str(ref c, true, out var kg)) return null;
                prefs.Add(kg);
            }
            while (c.Lit(","u8));
            if (!c.Lit("]"u8)) return null;
        }
        if (!c.Lit(",\"registeredAt\":\""u8) || !c.Instant(out var registered) || !c.Lit("\"}"u8) || !c.AtEnd) return null;
        return new ApplicationSubmitted(number, kind, channel, registered, birth, district, prefs.DrainToImmutable(), desired, claims, commitment);
    }

    private OfferResponded? Responded(ReadOnlySpan<byte> s)
    {
        var c = new Cursor(s);
        if (!c.Lit("{\"number\":"u8) || !Str(ref c, false, out var number) || !c.Lit(",\"response\":\""u8)) return null;
        var accept = c.Lit("accept"u8);
        if (!accept && !c.Lit("decline"u8)) return null;
        return c.Lit("\"}"u8) && c.AtEnd ? new OfferResponded(number, accept) : null;
    }

    private EnrolmentConfirmed? Confirmed(ReadOnlySpan<byte> s)
    {
        var c = new Cursor(s);
        return c.Lit("{\"number\":"u8) && Str(ref c, false, out var number) && c.Lit("}"u8) && c.AtEnd ? new EnrolmentConfirmed(number) : null;
    }

    private ClaimReviewed? Reviewed(ReadOnlySpan<byte> s)
    {
        var c = new Cursor(s);
        if (!c.Lit("{\"claim\":"u8) || !c.Integer(out var claim) || claim > 100 || !c.Lit(",\"number\":"u8) || !Str(ref c, false, out var number)
            || !c.Lit(",\"reason\":"u8) || !Str(ref c, false, out var reason) || !c.Lit(",\"verified\":"u8))
            return null;
        var verified = c.Lit("true"u8);
        if (!verified && !c.Lit("false"u8)) return null;
        return c.Lit("}"u8) && c.AtEnd ? new ClaimReviewed(number, (int)claim, verified, reason) : null;
    }

    /// <summary>A string literal without escapes (anything else is for the reference decoder); empty only where allowed.</summary>
    private bool Str(ref Cursor c, bool intern, out string value, bool allowEmpty = false)
    {
        value = "";
        if (!c.Literal(out var bytes) || (bytes.Length == 0 && !allowEmpty)) return false;
        if (!intern || bytes.Length > 64)
        {
            value = System.Text.Encoding.UTF8.GetString(bytes);
            return true;
        }
        Span<char> chars = stackalloc char[64];
        var n = System.Text.Encoding.UTF8.GetChars(bytes, chars);
        if (_lookup.TryGetValue(chars[..n], out var known))
        {
            value = known;
            return true;
        }
        value = new string(chars[..n]);
        if (_interned.Count >= InternLimit) _interned.Clear();
        _interned[value] = value;
        return true;
    }

    private ref struct Cursor(ReadOnlySpan<byte> s)
    {
        private readonly ReadOnlySpan<byte> _s = s;
        private int _p;

        public readonly bool AtEnd => _p == _s.Length;

        public bool Lit(ReadOnlySpan<byte> literal)
        {
            if (!_s[_p..].StartsWith(literal)) return false;
            _p += literal.Length;
            return true;
        }

        public bool Literal(out ReadOnlySpan<byte> bytes)
        {
            bytes = default;
            if (_p >= _s.Length || _s[_p] != (byte)'"') return false;
            var end = _s[(_p + 1)..].IndexOfAny((byte)'"', (byte)'\\');
            if (end < 0 || _s[_p + 1 + end] != (byte)'"') return false;
            bytes = _s.Slice(_p + 1, end);
            _p += end + 2;
            return true;
        }

        public bool Integer(out long value)
        {
            value = 0;
            var start = _p;
            while (_p < _s.Length && _s[_p] is >= (byte)'0' and <= (byte)'9' && _p - start < 18) value = value * 10 + (_s[_p++] - '0');
            return _p > start;
        }

        private bool Digits(int count, out int value)
        {
            value = 0;
            if (_p + count > _s.Length) return false;
            for (var i = 0; i < count; i++)
            {
                var b = _s[_p + i];
                if (b is < (byte)'0' or > (byte)'9') return false;
                value = value * 10 + (b - '0');
            }
            _p += count;
            return true;
        }

        public bool Month(out YearMonth month)
        {
            month = default;
            if (!Digits(4, out var y) || !Lit("-"u8) || !Digits(2, out var m) || y < 1 || m is < 1 or > 12) return false;
            month = new YearMonth(y, m);
            return true;
        }

        public bool Date(out LocalDate date)
        {
            date = default;
            if (!Digits(4, out var y) || !Lit("-"u8) || !Digits(2, out var m) || !Lit("-"u8) || !Digits(2, out var d)
                || y < 1 || m is < 1 or > 12 || d < 1 || d > CalendarSystem.Iso.GetDaysInMonth(y, m))
                return false;
            date = new LocalDate(y, m, d);
            return true;
        }

        public bool Instant(out Instant instant)
        {
            instant = default;
            if (!Date(out var date) || !Lit("T"u8) || !Digits(2, out var h) || !Lit(":"u8) || !Digits(2, out var mi) || !Lit(":"u8)
                || !Digits(2, out var sec) || !Lit("."u8) || !Digits(3, out var ms) || !Lit("Z"u8) || h > 23 || mi > 59 || sec > 59)
                return false;
            instant = date.At(new LocalTime(h, mi, sec, ms)).InUtc().ToInstant();
            return true;
        }
    }
}
