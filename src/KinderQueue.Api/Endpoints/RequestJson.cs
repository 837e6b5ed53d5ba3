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
            return (doc, null);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is null ? "" : $" (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})";
            return (null, ApiProblems.Validation(ex.Path ?? "$", "json.malformed", $"The body is not valid JSON{where}."));
        }
    }

    /// <summary>Turns JsonFields problems into a problem result, or null when there are none.</summary>
    public static ProblemHttpResult? ProblemsOf(JsonFields fields) => fields.HasProblems ? ApiProblems.Validation(fields.Problems) : null;

    public static ProblemHttpResult? ProblemsOf(IReadOnlyList<ValidationProblem> problems) => problems.Count > 0 ? ApiProblems.Validation(problems) : null;
}
