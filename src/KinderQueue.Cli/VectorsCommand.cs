using System.Text.Encodings.Web;
using System.Text.Json;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Vectors;

namespace KinderQueue.Cli;

/// <summary>
/// <c>kq vectors check|regenerate</c>: every file <c>&lt;dir&gt;/&lt;area&gt;/*.json</c> holds
/// <c>{"description", "input", "expected"}</c> (SPEC.md §10). Check recomputes the expected
/// output and reports files that differ; regenerate writes it back in a stable layout, so a
/// change of engine output shows up as a reviewed diff of the spec.
/// </summary>
internal static class VectorsCommand
{
    public static int Run(string dir, bool regenerate, TextWriter stdout, TextWriter stderr)
    {
        if (!Directory.Exists(dir))
        {
            stderr.WriteLine($"{dir}: no such folder");
            return CliApp.InputError;
        }
        int total = 0, different = 0, broken = 0;
        foreach (var area in VectorEvaluator.Areas)
        {
            var areaDir = Path.Combine(dir, area);
            if (!Directory.Exists(areaDir)) continue;
            foreach (var file in Directory.GetFiles(areaDir, "*.json").Order(StringComparer.Ordinal))
            {
                total++;
                var outcome = VectorFile.Evaluate(file, area, out var rewritten, out var error);
                if (outcome == VectorFile.Outcome.Broken)
                {
                    broken++;
                    stderr.WriteLine($"{file}: {error}");
                    continue;
                }
                if (outcome == VectorFile.Outcome.Different)
                {
                    different++;
                    if (regenerate)
                    {
                        File.WriteAllBytes(file, rewritten!);
                        stdout.WriteLine($"rewrote {file}");
                    }
                    else
                    {
                        stdout.WriteLine($"differs {file}");
                    }
                }
            }
        }
        stdout.WriteLine($"vectors: {total} checked, {different} {(regenerate ? "rewritten" : "different")}, {broken} unreadable");
        if (broken > 0) return CliApp.InputError;
        return !regenerate && different > 0 ? CliApp.Found : CliApp.Ok;
    }
}

/// <summary>Reads one vector file, recomputes its expected output and renders the file as it should be.</summary>
public static class VectorFile
{
    public enum Outcome { Same, Different, Broken }

    private static readonly JsonWriterOptions Pretty = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Outcome Evaluate(string file, string area, out byte[]? rendered, out string? error)
    {
        rendered = null;
        error = null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = ex.Message;
            return Outcome.Broken;
        }
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (!root.TryGetProperty("description", out var description) || !root.TryGetProperty("input", out var input))
            {
                error = "a vector needs 'description', 'input' and 'expected'";
                return Outcome.Broken;
            }
            // Large random instances keep only the SHA-256 of their output (SPEC.md §10.1).
            var hashOnly = root.TryGetProperty("expected", out var old) && old.ValueKind == JsonValueKind.Object && old.TryGetProperty("sha256", out _) && area == "allocation";
            var expected = VectorEvaluator.Evaluate(area, input, KinderQueue.Cli.InputFiles.CriteriaLoaderFor(file), hashOnly);
            rendered = Render(description, input, expected);
            return rendered.AsSpan().SequenceEqual(bytes) ? Outcome.Same : Outcome.Different;
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            error = ex.Message;
            return Outcome.Broken;
        }
    }

    /// <summary>Canonical expected bytes of a vector (for tests that compare meaning, not layout).</summary>
    public static byte[] CanonicalExpected(JsonElement root) =>
        CanonicalJson.Canonicalize(System.Text.Encoding.UTF8.GetBytes(root.GetProperty("expected").GetRawText())).GetValueOrThrow();

    private static byte[] Render(JsonElement description, JsonElement input, byte[] expected)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Pretty))
        {
            w.WriteStartObject();
            w.WritePropertyName("description");
            description.WriteTo(w);
            w.WritePropertyName("input");
            WriteKeepingEscapes(w, input);
            w.WritePropertyName("expected");
            using var e = JsonDocument.Parse(expected);
            e.RootElement.WriteTo(w);
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>
    /// <see cref="JsonElement.WriteTo"/>, except that a string that is not well-formed Unicode (an
    /// input that shows json.string, e.g. the escape <c>\ud800</c>) is written as it stands in the
    /// file: decoding it, as WriteTo does, would throw.
    /// </summary>
    private static void WriteKeepingEscapes(Utf8JsonWriter w, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (var p in e.EnumerateObject())
                {
                    w.WritePropertyName(p.Name);
                    WriteKeepingEscapes(w, p.Value);
                }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var item in e.EnumerateArray()) WriteKeepingEscapes(w, item);
                w.WriteEndArray();
                break;
            case JsonValueKind.String when !IsText(e):
                w.WriteRawValue(e.GetRawText(), skipInputValidation: true);
                break;
            default:
                e.WriteTo(w);
                break;
        }
    }

    private static bool IsText(JsonElement e)
    {
        try
        {
            _ = e.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
