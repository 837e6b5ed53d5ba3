using System.Text.Json;

namespace KinderQueue.Core.Encoding;

/// <summary>
/// Turns any JSON text that uses the canonical subset (objects, arrays, strings, integers,
/// booleans, null; unique keys) into its canonical bytes (SPEC.md §3). Used for documents that
/// arrive as JSON (a criteria document) and to check that stored bytes are canonical.
/// </summary>
public static class CanonicalJson
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32 };

    public static Parsed<byte[]> Canonicalize(ReadOnlySpan<byte> json)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 32 });
            doc = JsonDocument.ParseValue(ref reader);
            if (reader.BytesConsumed != json.Length && !IsTrailingWhiteSpace(json[(int)reader.BytesConsumed..]))
                return Parsed<byte[]>.Fail("$", "json.trailing", "Text after the JSON value.");
        }
        catch (JsonException ex)
        {
            return Parsed<byte[]>.Fail("$", "json.malformed", $"Not valid JSON: {ex.Message}");
        }
        using (doc)
        {
            var problems = new List<ValidationProblem>();
            var writer = new CanonicalJsonWriter(json.Length);
            Write(writer, doc.RootElement, "$", problems);
            return problems.Count > 0 ? Parsed<byte[]>.Fail(problems) : Parsed<byte[]>.Ok(writer.ToArray());
        }
    }

    /// <summary>True when the bytes are exactly their own canonical form.</summary>
    public static bool IsCanonical(ReadOnlySpan<byte> json)
    {
        var result = Canonicalize(json);
        return result.Success && json.SequenceEqual(result.Value);
    }

    internal static JsonDocument Parse(ReadOnlyMemory<byte> json) => JsonDocument.Parse(json, Options);

    /// <summary>
    /// Parses a document from outside (a criteria file, a scenario), which may repeat a key: §3
    /// refuses that, as a JsonException like any malformed document. Stored entries are canonical
    /// already, so the log's hot paths skip the check. The check is a walk of our own rather than the
    /// parser's AllowDuplicateProperties, which throws on a key it cannot decode (an unpaired
    /// surrogate) before the reader can report that key as json.string at its object (SPEC.md §9).
    /// </summary>
    internal static JsonDocument ParseInput(ReadOnlyMemory<byte> json)
    {
        var doc = JsonDocument.Parse(json, Options);
        try
        {
            RefuseRepeatedKeys(doc.RootElement);
            return doc;
        }
        catch
        {
            doc.Dispose();
            throw;
        }
    }

    private static void RefuseRepeatedKeys(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray()) RefuseRepeatedKeys(item);
            return;
        }
        if (e.ValueKind != JsonValueKind.Object) return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in e.EnumerateObject())
        {
            string name;
            try
            {
                name = p.Name;
            }
            catch (InvalidOperationException)
            {
                // Not text: the reader reports it where it is.
                RefuseRepeatedKeys(p.Value);
                continue;
            }
            if (!seen.Add(name)) throw new JsonException($"The key '{name}' is repeated in one object (SPEC.md §3 refuses it).");
            RefuseRepeatedKeys(p.Value);
        }
    }

    private static bool IsTrailingWhiteSpace(ReadOnlySpan<byte> rest)
    {
        foreach (var b in rest)
        {
            if (b is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')) return false;
        }
        return true;
    }

    private static void Write(CanonicalJsonWriter w, JsonElement e, string path, List<ValidationProblem> problems)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var props = new List<(string Name, JsonElement Value)>();
                foreach (var p in e.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = p.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        // Same rule as for string values: a key with an unpaired surrogate or invalid UTF-8 is not text.
                        problems.Add(new ValidationProblem(path, "json.string", "A key is not well-formed Unicode (an unpaired surrogate)."));
                        return;
                    }
                    props.Add((name, p.Value));
                }
                props.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                for (var i = 1; i < props.Count; i++)
                {
                    if (props[i].Name == props[i - 1].Name)
                    {
                        problems.Add(new ValidationProblem($"{path}.{props[i].Name}", "json.duplicate-key", $"Key '{props[i].Name}' appears twice."));
                        return;
                    }
                }
                foreach (var p in props)
                {
                    if (!IsPlainKey(p.Name))
                    {
                        problems.Add(new ValidationProblem($"{path}", "json.key", $"Key '{p.Name}' must be printable ASCII without quotes or backslashes."));
                        return;
                    }
                }
                w.StartObject();
                foreach (var p in props)
                {
                    w.Key(p.Name);
                    Write(w, p.Value, $"{path}.{p.Name}", problems);
                    if (problems.Count > 0) return;
                }
                w.EndObject();
                break;
            case JsonValueKind.Array:
                w.StartArray();
                var index = 0;
                foreach (var item in e.EnumerateArray())
                {
                    Write(w, item, $"{path}[{index++}]", problems);
                    if (problems.Count > 0) return;
                }
                w.EndArray();
                break;
            case JsonValueKind.String:
                string text;
                try
                {
                    text = e.GetString()!;
                    w.String(text);
                }
                catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
                {
                    problems.Add(new ValidationProblem(path, "json.string", "The string is not well-formed Unicode (an unpaired surrogate)."));
                    return;
                }
                break;
            case JsonValueKind.Number:
                if (!e.TryGetInt64(out var n) || e.GetRawText().AsSpan().IndexOfAny(".eE") >= 0)
                {
                    problems.Add(new ValidationProblem(path, "json.number", "Only whole numbers (64-bit) are allowed."));
                    return;
                }
                w.Integer(n);
                break;
            case JsonValueKind.True: w.Boolean(true); break;
            case JsonValueKind.False: w.Boolean(false); break;
            default: w.Null(); break;
        }
    }

    private static bool IsPlainKey(string key)
    {
        foreach (var c in key)
        {
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') return false;
        }
        return true;
    }
}
