using System.Text.Json;
using KinderQueue.Core;
using KinderQueue.Core.Encoding;
using Microsoft.AspNetCore.Http.HttpResults;
using ValidationProblem = KinderQueue.Core.ValidationProblem;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// Reads a JSON body ourselves instead of model binding, so that every problem — malformed
/// JSON, a wrong type, a missing field — comes back as a problem that names the field.
/// </summary>
public static class RequestJson
{
    public static async Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentType is null || !request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return (null, ApiProblems.Validation("$", "request.content-type", "Send the body as application/json."));
        if (CharsetProblem(request) is { } charset) return (null, charset);
        try
        {
            var doc = await JsonDocument.ParseAsync(request.Body, Options, ct);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                doc.Dispose();
                return (null, ApiProblems.Validation("$", "field.type", "The body must be a JSON object."));
            }
            // SPEC.md §3: a key appears at most once in an object. Last-wins would let a body say one thing to
            // a reviewer reading the first key and another to the service (criteria included), so refuse it.
            if (DuplicateKey(doc.RootElement, "$") is { } repeated)
            {
                doc.Dispose();
                return (null, ApiProblems.Validation(repeated, "json.duplicate-key", "This key appears twice in one object; send each key once."));
            }
            // Valid JSON may still escape a lone surrogate ("\ud800"), which no string can hold: refuse it here, by path.
            if (UndecodableString(doc.RootElement, "$") is { } path)
            {
                doc.Dispose();
                return (null, ApiProblems.Validation(path, "json.malformed", "The text is not valid Unicode (an unpaired surrogate escape)."));
            }
            return (doc, null);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is null ? "" : $" (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})";
            return (null, ApiProblems.Validation(ex.Path ?? "$", "json.malformed", $"The body is not valid JSON{where}."));
        }
    }

    // Duplicate keys are let through the parser and refused by the walk below (DuplicateKey), which can
    // name the repeated key by its path; the parser's own refusal (AllowDuplicateProperties = false) names none.
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32 };

    /// <summary>
    /// Bodies are read as UTF-8 (SPEC.md §3; RFC 8259 §8.1). A declared charset other than UTF-8 would
    /// be read wrongly — an ISO-8859-1 "é" is not valid UTF-8, or worse, valid and something else —
    /// so it is refused with 415 rather than guessed at. No charset, or utf-8 in any spelling, is fine.
    /// </summary>
    public static ProblemHttpResult? CharsetProblem(HttpRequest request)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type)) return null;
        var charset = type.Charset.Value?.Trim('"');
        if (string.IsNullOrEmpty(charset) || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            return null;
        return ApiProblems.UnsupportedMediaType("$header.Content-Type", "request.charset",
            $"The body must be UTF-8; charset '{ApiProblems.Bounded(charset)}' is not accepted. Send it as UTF-8 (or declare no charset).");
    }

    /// <summary>The path of the first key that repeats an earlier key of its object (ordinal, after unescaping), or null.</summary>
    private static string? DuplicateKey(JsonElement e, string path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                HashSet<string>? seen = null;
                foreach (var p in e.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = p.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        continue; // An undecodable name: UndecodableString reports it.
                    }
                    var at = $"{path}.{ApiProblems.Bounded(name)}";
                    if (!(seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(name)) return at;
                    if (DuplicateKey(p.Value, at) is { } inner) return inner;
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (DuplicateKey(item, $"{path}[{i++}]") is { } inner) return inner;
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>The path of the first property name or string value that cannot be read as a string, or null.</summary>
    private static string? UndecodableString(JsonElement e, string path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                return Decodes(() => e.GetString()) ? null : path;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    if (!Decodes(() => p.Name)) return path;
                    if (UndecodableString(p.Value, $"{path}.{p.Name}") is { } inner) return inner;
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (UndecodableString(item, $"{path}[{i++}]") is { } inner) return inner;
                }
                return null;
            default:
                return null;
        }
    }

    private static bool Decodes(Func<string?> read)
    {
        try
        {
            read();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Turns JsonFields problems into a problem result, or null when there are none.</summary>
    public static ProblemHttpResult? ProblemsOf(JsonFields fields) => fields.HasProblems ? ApiProblems.Validation(fields.Problems) : null;

    public static ProblemHttpResult? ProblemsOf(IReadOnlyList<ValidationProblem> problems) => problems.Count > 0 ? ApiProblems.Validation(problems) : null;

    /// <summary>The most a private note may hold.</summary>
    public const int MaxNote = 2000;

    /// <summary>
    /// The optional free-text 'note' beside a reason code: it goes to the private store, never the
    /// log (SPEC.md §4.6). Blank is taken as no note.
    /// </summary>
    public static string? Note(JsonFields f, JsonElement root)
    {
        var note = f.String(root, "$", "note", required: false);
        if (note is { Length: > MaxNote }) f.Add("$.note", "field.too-long", $"A note holds at most {MaxNote} characters.");
        return string.IsNullOrWhiteSpace(note) ? null : note;
    }
}
