using System.Text.Json;
using KinderQueue.Core;
using KinderQueue.Storage.Appending;
using Microsoft.AspNetCore.Http.HttpResults;
using ValidationProblem = KinderQueue.Core.ValidationProblem;

namespace KinderQueue.Api.Endpoints;

/// <summary>
/// RFC 9457 problem details for every refusal. Each problem lists its errors with a JSON path,
/// a stable code and a message, so a client (or a person) sees exactly which field to fix.
/// </summary>
public static class ApiProblems
{
    public static ProblemHttpResult Validation(IReadOnlyList<ValidationProblem> problems) =>
        Make(StatusCodes.Status400BadRequest, "The request is not valid.", problems);

    public static ProblemHttpResult Validation(string path, string code, string message) =>
        Validation([new ValidationProblem(path, code, message)]);

    /// <summary>422: well-formed, but the rules refuse it (a signal review's transition or explanation, issue 13).</summary>
    public static ProblemHttpResult Unprocessable(IReadOnlyList<ValidationProblem> problems) =>
        Make(StatusCodes.Status422UnprocessableEntity, "The request cannot be applied.", problems);

    public static ProblemHttpResult TooLarge(long limit) =>
        Make(StatusCodes.Status413PayloadTooLarge, "The request body is too large.",
            [new ValidationProblem("$", "request.too-large", $"The body may be at most {limit} bytes.")]);

    /// <summary>415: the body's media type (or its charset) is not one this resource reads.</summary>
    public static ProblemHttpResult UnsupportedMediaType(string path, string code, string message) =>
        Make(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type.", [new ValidationProblem(path, code, message)]);

    public static ProblemHttpResult NotFound(string what) =>
        Make(StatusCodes.Status404NotFound, "Not found.", [new ValidationProblem("$", "not-found", what)]);

    /// <summary>A 404 that names the parameter and the reason (a proof for a tree this log does not have yet, say).</summary>
    public static ProblemHttpResult NotFound(string path, string code, string message) =>
        Make(StatusCodes.Status404NotFound, "Not found.", [new ValidationProblem(path, code, message)]);

    public static ProblemHttpResult Forbidden(string why) =>
        Make(StatusCodes.Status403Forbidden, "Not allowed.", [new ValidationProblem("$", "forbidden", why)]);

    public static ProblemHttpResult TooManyRequests(string why) =>
        Make(StatusCodes.Status429TooManyRequests, "Too many requests.", [new ValidationProblem("$", "rate-limited", why)]);

    public static ProblemHttpResult Unavailable(string why) =>
        Make(StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable.", [new ValidationProblem("$", "service.unavailable", why)]);

    /// <summary>Shed by admission control: the service is at capacity for this kind of request (AdmissionControl).</summary>
    public static ProblemHttpResult Overloaded(string why) =>
        Make(StatusCodes.Status503ServiceUnavailable, "The service is at capacity right now.", [new ValidationProblem("$", "service.overloaded", why)]);

    public static ProblemHttpResult From(CommandResult result) => result.Refusal switch
    {
        Refusal.Conflict => Make(StatusCodes.Status409Conflict, "The request conflicts with the current state of the queue.", result.Problems),
        Refusal.NotFound => Make(StatusCodes.Status404NotFound, "Not found.", result.Problems),
        Refusal.Forbidden => Make(StatusCodes.Status403Forbidden, "Not allowed.", result.Problems),
        _ => Validation(result.Problems),
    };

    /// <summary>
    /// Errors listed in one problem at most. A bad 2 MB capacity file has hundreds of thousands of bad
    /// rows; listing them all made an answer ten times the request (issue 17). The first ones are
    /// enough to fix the file; 'errorCount' says how many there were in all.
    /// </summary>
    public const int MaxErrors = 100;

    /// <summary>Characters of client input (a path, a value quoted in a message) echoed back at most.</summary>
    public const int MaxEcho = 200;

    /// <summary>Client text cut to <see cref="MaxEcho"/> characters (marked with '…'), so an answer never grows with the input.</summary>
    public static string Bounded(string text) => Bounded(text, MaxEcho);

    public static string Bounded(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, char.IsHighSurrogate(text[max - 1]) ? max - 1 : max), "…");

    private static ProblemHttpResult Make(int status, string title, IReadOnlyList<ValidationProblem> problems)
    {
        var errors = problems.Take(MaxErrors)
            .Select(p => new Dictionary<string, string> { ["path"] = Bounded(p.Path), ["code"] = Bounded(p.Code, 100), ["message"] = Bounded(p.Message, 2 * MaxEcho) })
            .ToList();
        if (problems.Count > MaxErrors)
        {
            errors.Add(new Dictionary<string, string>
            {
                ["path"] = "$",
                ["code"] = "errors.truncated",
                ["message"] = $"{problems.Count - MaxErrors} more errors are not listed; fix these and send the request again.",
            });
        }
        var extensions = new Dictionary<string, object?> { ["errors"] = errors };
        if (problems.Count > MaxErrors) extensions["errorCount"] = problems.Count;
        return TypedResults.Problem(
            statusCode: status,
            title: title,
            detail: problems.Count > 0 ? errors[0]["message"] : null,
            type: $"https://kinderqueue.example/problems/{(problems.Count > 0 ? errors[0]["code"] : "error")}",
            extensions: extensions);
    }
}

/// <summary>A JSON body written exactly as stored, so an idempotent retry returns identical bytes.</summary>
public sealed class StoredJsonResult(int statusCode, byte[] body, bool replayed) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        if (replayed) httpContext.Response.Headers["Idempotent-Replayed"] = "true";
        await httpContext.Response.Body.WriteAsync(body);
    }

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions.Web);
}
