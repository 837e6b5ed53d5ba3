using System.Collections.Immutable;
using System.Text.Json;
using NodaTime;

namespace KinderQueue.Core.Encoding;

/// <summary>
/// Typed reads from a <see cref="JsonElement"/> that record a precise problem (path, code,
/// message) instead of throwing, so one pass over a bad document reports every bad field.
/// </summary>
public sealed class JsonFields
{
    private readonly List<ValidationProblem> _problems = new();

    public IReadOnlyList<ValidationProblem> Problems => _problems;
    public bool HasProblems => _problems.Count > 0;

    public void Add(string path, string code, string message) => _problems.Add(new ValidationProblem(path, code, message));

    /// <summary>
    /// Builds a value only when reading its fields recorded no new problem. The function reads all
    /// fields first, so every bad field is reported, and a half-read value is never returned.
    /// </summary>
    public T? Build<T>(Func<T> make) where T : class
    {
        var before = _problems.Count;
        var value = make();
        return _problems.Count > before ? null : value;
    }

    /// <summary>The nesting limit of every JSON text this spec reads (SPEC.md §3, §9): 32 levels of objects and arrays.</summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// Records <c>json.malformed</c> at <paramref name="path"/> when <paramref name="e"/> nests deeper
    /// than <see cref="MaxDepth"/> (a scalar is depth 0, <c>[]</c> depth 1), whatever limit the parser
    /// that produced it had: a file may be read with a wider one and hold the document one level down.
    /// </summary>
    public bool WithinDepth(JsonElement e, string path)
    {
        if (FitsIn(e, MaxDepth)) return true;
        Add(path, "json.malformed", $"Nesting deeper than {MaxDepth} levels.");
        return false;
    }

    private static bool FitsIn(JsonElement e, int budget)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                if (budget == 0) return false;
                foreach (var p in e.EnumerateObject())
                    if (!FitsIn(p.Value, budget - 1)) return false;
                return true;
            case JsonValueKind.Array:
                if (budget == 0) return false;
                foreach (var item in e.EnumerateArray())
                    if (!FitsIn(item, budget - 1)) return false;
                return true;
            default:
                return true;
        }
    }

    /// <summary>
    /// True for an object whose keys are all text. A key that is not well-formed Unicode (an escaped
    /// unpaired surrogate, invalid UTF-8) is <c>json.string</c> at the object, whether or not the key
    /// is one the reader knows: otherwise the answer would depend on which names the reader looks up.
    /// </summary>
    public bool IsObject(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            Add(path, "field.type", "Expected an object.");
            return false;
        }
        foreach (var p in e.EnumerateObject())
        {
            try
            {
                _ = p.Name;
            }
            catch (InvalidOperationException)
            {
                Add(path, "json.string", "A key of this object is not well-formed Unicode (an unpaired surrogate or invalid UTF-8).");
                return false;
            }
        }
        return true;
    }

    public bool TryGet(JsonElement obj, string path, string name, out JsonElement value, bool required = true)
    {
        bool found;
        value = default;
        try
        {
            found = obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value);
        }
        catch (InvalidOperationException)
        {
            // TryGetProperty decodes each escaped key it compares; a key escaping an unpaired surrogate is
            // no text (SPEC.md §3 rule 6). Reported once at the object, which is then read as having no fields.
            if (!_problems.Any(p => p.Path == path && p.Code == "json.string"))
                Add(path, "json.string", "A key of this object is not well-formed Unicode (an unpaired surrogate).");
            value = default;
            return false;
        }
        if (found && value.ValueKind != JsonValueKind.Null) return true;
        value = default;
        if (required) Add($"{path}.{name}", "field.missing", $"'{name}' is required.");
        return false;
    }

    public string? String(JsonElement obj, string path, string name, bool required = true)
    {
        if (!TryGet(obj, path, name, out var v, required)) return null;
        if (v.ValueKind != JsonValueKind.String)
        {
            Add($"{path}.{name}", "field.type", $"'{name}' must be a string.");
            return null;
        }
        var s = Text(v, $"{path}.{name}");
        if (s is null) return null;
        if (required && s.Length == 0)
        {
            Add($"{path}.{name}", "field.empty", $"'{name}' must not be empty.");
            return null;
        }
        return s;
    }

    /// <summary>
    /// The text of a JSON string, or null with <c>json.string</c> when it is not well-formed Unicode
    /// (an unpaired surrogate escape or invalid UTF-8, SPEC.md §3 rule 6). System.Text.Json checks
    /// this only when the string is decoded, and has no non-throwing way to ask.
    /// </summary>
    public string? Text(JsonElement v, string path)
    {
        try
        {
            return v.GetString();
        }
        catch (InvalidOperationException)
        {
            Add(path, "json.string", "The string is not well-formed Unicode (an unpaired surrogate or invalid UTF-8).");
            return null;
        }
    }

    public long? Integer(JsonElement obj, string path, string name, long min, long max, bool required = true)
    {
        if (!TryGet(obj, path, name, out var v, required)) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n) || v.GetRawText().AsSpan().IndexOfAny(".eE") >= 0)
        {
            Add($"{path}.{name}", "field.type", $"'{name}' must be a whole number.");
            return null;
        }
        if (n < min || n > max)
        {
            Add($"{path}.{name}", "field.range", $"'{name}' must be between {min} and {max}; got {n}.");
            return null;
        }
        return n;
    }

    public bool? Boolean(JsonElement obj, string path, string name, bool required = true)
    {
        if (!TryGet(obj, path, name, out var v, required)) return null;
        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.GetBoolean();
        Add($"{path}.{name}", "field.type", $"'{name}' must be true or false.");
        return null;
    }

    public LocalDate? Date(JsonElement obj, string path, string name, bool required = true)
    {
        var s = String(obj, path, name, required);
        if (s is null) return null;
        var r = Formats.Date.Parse(s);
        if (r.Success) return r.Value;
        Add($"{path}.{name}", "field.date", $"'{name}' must be a date like 2027-09-01; got '{s}'.");
        return null;
    }

    public YearMonth? Month(JsonElement obj, string path, string name, bool required = true)
    {
        var s = String(obj, path, name, required);
        if (s is null) return null;
        var r = Formats.Month.Parse(s);
        if (r.Success) return r.Value;
        Add($"{path}.{name}", "field.month", $"'{name}' must be a year and month like 2024-05; got '{s}'.");
        return null;
    }

    public Instant? Instant(JsonElement obj, string path, string name, bool required = true)
    {
        var s = String(obj, path, name, required);
        if (s is null) return null;
        var r = Formats.Instant.Parse(s);
        if (r.Success) return r.Value;
        Add($"{path}.{name}", "field.instant", $"'{name}' must be a UTC instant like 2027-03-01T09:15:00.000Z; got '{s}'.");
        return null;
    }

    public ImmutableArray<T>? Array<T>(JsonElement obj, string path, string name, Func<JsonElement, string, T?> item, bool required = true)
    {
        if (!TryGet(obj, path, name, out var v, required)) return null;
        if (v.ValueKind != JsonValueKind.Array)
        {
            Add($"{path}.{name}", "field.type", $"'{name}' must be an array.");
            return null;
        }
        var builder = ImmutableArray.CreateBuilder<T>();
        var i = 0;
        var before = _problems.Count;
        foreach (var e in v.EnumerateArray())
        {
            var parsed = item(e, $"{path}.{name}[{i++}]");
            if (parsed is not null) builder.Add(parsed);
        }
        return _problems.Count > before ? null : builder.ToImmutable();
    }

    public ImmutableArray<string>? Strings(JsonElement obj, string path, string name, bool required = true) =>
        Array(obj, path, name, (e, p) =>
        {
            if (e.ValueKind != JsonValueKind.String)
            {
                Add(p, "field.type", "Expected a non-empty string.");
                return null;
            }
            var s = Text(e, p);
            if (s is null) return null;
            if (s.Length > 0) return s;
            Add(p, "field.type", "Expected a non-empty string.");
            return null;
        }, required);
}
