using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions.Execution;
using KinderQueue.Storage;

namespace KinderQueue.Api.Tests.Support;

/// <summary>HTTP helpers: requests as a caller, JSON bodies, and what every refusal must look like.</summary>
public static class Http
{
    public static StringContent Json(object body) =>
        body is JsonNode node ? Raw(node.ToJsonString(), "application/json") : Raw(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), "application/json");

    public static StringContent Raw(string text, string? contentType)
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    public static async Task<HttpResponseMessage> SendAsync(this ApiFixture f, HttpMethod method, string url, Caller? caller,
        HttpContent? content = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        if (caller is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", caller.Token);
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return await f.Client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PostAsync(this ApiFixture f, string url, Caller? caller, object body, string? idempotencyKey = null) =>
        f.SendAsync(HttpMethod.Post, url, caller, Json(body), idempotencyKey);

    public static Task<HttpResponseMessage> PutAsync(this ApiFixture f, string url, Caller? caller, object body) =>
        f.SendAsync(HttpMethod.Put, url, caller, Json(body));

    public static Task<HttpResponseMessage> GetAsync(this ApiFixture f, string url, Caller? caller = null) =>
        f.SendAsync(HttpMethod.Get, url, caller);

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Asserts a success status and returns the JSON body.</summary>
    public static async Task<JsonElement> ShouldSucceedAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be((int)status, "the body was {0}", text);
        if (text.Length == 0) return default;
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>
    /// Asserts an RFC 9457 problem: the status, application/problem+json, no trace of an
    /// exception, and an "errors" list whose every item has a path, a code and a message.
    /// With <paramref name="path"/> or <paramref name="code"/>, one error must have it.
    /// </summary>
    public static async Task<IReadOnlyList<ApiError>> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status,
        string? path = null, string? code = null, string because = "")
    {
        var text = await response.Content.ReadAsStringAsync();
        var what = $"{because} (response {(int)response.StatusCode}: {text})";
        using var _ = new AssertionScope();
        ((int)response.StatusCode).Should().Be((int)status, what);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json", what);
        text.Should().NotContain("   at ", what).And.NotContain("Exception", what);
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(text);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            Execute.Assertion.FailWith("The problem body is not JSON: {0}", text);
            return [];
        }
        root.TryGetProperty("status", out var s).Should().BeTrue(what);
        if (s.ValueKind == JsonValueKind.Number) s.GetInt32().Should().Be((int)status, what);
        var errors = new List<ApiError>();
        if (!root.TryGetProperty("errors", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            Execute.Assertion.FailWith("The problem has no errors list {0}", what);
            return errors;
        }
        foreach (var e in list.EnumerateArray())
        {
            var error = new ApiError(Prop(e, "path"), Prop(e, "code"), Prop(e, "message"));
            error.Path.Should().StartWith("$", what);
            error.Code.Should().NotBeNullOrWhiteSpace(what);
            error.Message.Should().NotBeNullOrWhiteSpace(what);
            errors.Add(error);
        }
        if (path is not null) errors.Select(e => e.Path).Should().Contain(path, what);
        if (code is not null) errors.Select(e => e.Code).Should().Contain(code, what);
        if (path is not null && code is not null) errors.Should().Contain(e => e.Path == path && e.Code == code, what);
        return errors;
    }

    private static string Prop(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    /// <summary>The log size as /readyz reports it.</summary>
    public static async Task<long> LogSizeAsync(this ApiFixture f)
    {
        var ready = await (await f.GetAsync("/readyz")).ShouldSucceedAsync(HttpStatusCode.OK);
        return ready.GetProperty("logSize").GetInt64();
    }

    public static async Task<List<StoredEntry>> ReadEntriesAsync(this ApiFixture f)
    {
        var entries = new List<StoredEntry>();
        await foreach (var e in f.Store.ReadAsync(0, long.MaxValue, CancellationToken.None)) entries.Add(e);
        return entries;
    }
}

public sealed record ApiError(string Path, string Code, string Message);
