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
        try
        {
            var doc = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 32 }, ct);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                doc.Dispose();
                return (null, ApiProblems.Validation("$", "field.type", "The body must be a JSON object."));
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
