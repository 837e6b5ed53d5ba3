using System.Buffers;
using System.Globalization;
using System.Text;

namespace KinderQueue.Core.Encoding;

/// <summary>
/// Writes canonical JSON (SPEC.md §3): no white space, object keys in strictly ascending
/// byte order, integers only, strings as UTF-8 with the minimal escapes. The writer refuses a key
/// out of order instead of sorting, so a payload type that writes its fields in the wrong order
/// fails in its first test rather than producing bytes another implementation would not.
/// </summary>
public sealed class CanonicalJsonWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;
    // One frame per open object or array: the last key written (objects) and whether a comma is due.
    private readonly Stack<Frame> _frames = new();
    private bool _afterKey;

    public CanonicalJsonWriter(int initialCapacity = 256) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray()
    {
        if (_frames.Count != 0) throw new InvalidOperationException("Unclosed object or array.");
        return _buffer.WrittenSpan.ToArray();
    }

    public void Reset()
    {
        _buffer.ResetWrittenCount();
        _frames.Clear();
        _afterKey = false;
    }

    public void StartObject()
    {
        BeforeValue();
        WriteByte((byte)'{');
        _frames.Push(new Frame(IsObject: true));
    }

    public void EndObject() => End(isObject: true, (byte)'}');

    public void StartArray()
    {
        BeforeValue();
        WriteByte((byte)'[');
        _frames.Push(new Frame(IsObject: false));
    }

    public void EndArray() => End(isObject: false, (byte)']');

    /// <summary>Writes a key; keys must be ASCII and strictly ascending within one object.</summary>
    public void Key(string key)
    {
        if (_frames.Count == 0 || !_frames.Peek().IsObject || _afterKey)
            throw new InvalidOperationException($"Key '{key}' outside an object.");
        var frame = _frames.Pop();
        if (frame.LastKey is not null && string.CompareOrdinal(frame.LastKey, key) >= 0)
            throw new InvalidOperationException($"Key '{key}' written after '{frame.LastKey}': canonical JSON needs ascending keys.");
        foreach (var c in key)
        {
            if (c > 0x7E || c < 0x20 || c == '"' || c == '\\')
                throw new InvalidOperationException($"Key '{key}' is not printable ASCII.");
        }
        if (frame.Count > 0) WriteByte((byte)',');
        _frames.Push(frame with { LastKey = key, Count = frame.Count + 1 });
        WriteStringLiteral(key);
        WriteByte((byte)':');
        _afterKey = true;
    }

    public void String(string value)
    {
        BeforeValue();
        WriteStringLiteral(value);
    }

    public void Integer(long value)
    {
        BeforeValue();
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        Write(digits[..written]);
    }

    public void Boolean(bool value)
    {
        BeforeValue();
        Write(value ? "true"u8 : "false"u8);
    }

    public void Null()
    {
        BeforeValue();
        Write("null"u8);
    }

    /// <summary>Embeds bytes that are already canonical JSON (a stored payload inside a log entry).</summary>
    public void Raw(ReadOnlySpan<byte> canonicalJson)
    {
        BeforeValue();
        Write(canonicalJson);
    }

    // Convenience pairs keep payload writers short and readable.
    public void Property(string key, string value) { Key(key); String(value); }
    public void Property(string key, long value) { Key(key); Integer(value); }
    public void Property(string key, bool value) { Key(key); Boolean(value); }

    public void PropertyOrNull(string key, string? value)
    {
        Key(key);
        if (value is null) Null(); else String(value);
    }

    public void StringArray(string key, IEnumerable<string> values)
    {
        Key(key);
        StartArray();
        foreach (var v in values) String(v);
        EndArray();
    }

    private void End(bool isObject, byte closer)
    {
        if (_frames.Count == 0 || _frames.Peek().IsObject != isObject || _afterKey)
            throw new InvalidOperationException("Mismatched end of object or array.");
        _frames.Pop();
        WriteByte(closer);
    }

    private void BeforeValue()
    {
        if (_frames.Count == 0)
        {
            if (_buffer.WrittenCount != 0) throw new InvalidOperationException("Only one top-level value.");
            return;
        }
        var frame = _frames.Peek();
        if (frame.IsObject)
        {
            if (!_afterKey) throw new InvalidOperationException("Value in an object without a key.");
            _afterKey = false;
            return;
        }
        if (frame.Count > 0) WriteByte((byte)',');
        _frames.Pop();
        _frames.Push(frame with { Count = frame.Count + 1 });
    }

    // What a string literal cannot hold as it is: quote, backslash, control characters (escaped), and
    // surrogates (checked for pairing). Everything else is copied as UTF-8 in one go.
    private static readonly SearchValues<char> Special = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Select(c => (char)c)) + "\"\\" + string.Concat(Enumerable.Range(0xD800, 0x800).Select(c => (char)c)));

    private void WriteStringLiteral(string value)
    {
        WriteByte((byte)'"');
        var rest = value.AsSpan();
        while (true)
        {
            var i = rest.IndexOfAny(Special);
            if (i < 0)
            {
                WriteUtf8(rest);
                break;
            }
            WriteUtf8(rest[..i]);
            var c = rest[i];
            if (char.IsSurrogate(c))
            {
                // A lone surrogate cannot be encoded as UTF-8; strings in the log are well-formed text.
                if (!(char.IsHighSurrogate(c) && i + 1 < rest.Length && char.IsLowSurrogate(rest[i + 1])))
                    throw new ArgumentException("String contains an unpaired surrogate.", nameof(value));
                WriteUtf8(rest.Slice(i, 2));
                rest = rest[(i + 2)..];
                continue;
            }
            switch (c)
            {
                case '"': Write("\\\""u8); break;
                case '\\': Write("\\\\"u8); break;
                default:
                    Write("\\u00"u8);
                    WriteByte(HexDigit(c >> 4));
                    WriteByte(HexDigit(c & 0xF));
                    break;
            }
            rest = rest[(i + 1)..];
        }
        WriteByte((byte)'"');
    }

    private static byte HexDigit(int v) => (byte)(v < 10 ? '0' + v : 'a' + v - 10);

    private void WriteUtf8(ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty) return;
        var span = _buffer.GetSpan(System.Text.Encoding.UTF8.GetMaxByteCount(chars.Length));
        var n = System.Text.Encoding.UTF8.GetBytes(chars, span);
        _buffer.Advance(n);
    }

    private void Write(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    private void WriteByte(byte b)
    {
        _buffer.GetSpan(1)[0] = b;
        _buffer.Advance(1);
    }

    private readonly record struct Frame(bool IsObject)
    {
        public string? LastKey { get; init; }
        public int Count { get; init; }
    }
}
