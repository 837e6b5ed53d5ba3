using System.Text.Json;

namespace LaunchDay.Report;

/// <summary>An answer that is a deliberate "try again" (with Retry-After), not a failure.</summary>
internal sealed record RetryLater(string Endpoint, int Status);

/// <summary>
/// Inside the window of load beyond capacity (the burst), the p99 of the answers that were served:
/// the service must shed the excess (503 service.overloaded with Retry-After) rather than queue it.
/// </summary>
internal sealed record OverloadSlo(string Window, IReadOnlyDictionary<string, double> ServedP99Ms);

/// <summary>The SLOs of loadtest/launch-day/slo.json.</summary>
internal sealed record SloConfig(
    IReadOnlyDictionary<string, double> P99Ms,
    IReadOnlyDictionary<string, int> MinRequests,
    int MaxErrorsOutsideWindows,
    double WindowGraceSeconds,
    IReadOnlyDictionary<string, double> RecoveryMaxSeconds,
    double MinAchievedFraction,
    IReadOnlyList<RetryLater> RetryLaterAllowed,
    OverloadSlo? Overload = null)
{
    public static SloConfig Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        static Dictionary<string, T> Map<T>(JsonElement root, string name, Func<JsonElement, T> read)
        {
            var d = new Dictionary<string, T>(StringComparer.Ordinal);
            if (root.TryGetProperty(name, out var o) && o.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in o.EnumerateObject()) d[p.Name] = read(p.Value);
            }
            return d;
        }
        var retry = new List<RetryLater>();
        if (r.TryGetProperty("retryLaterAllowed", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var e in list.EnumerateArray()) retry.Add(new RetryLater(e.GetProperty("endpoint").GetString()!, e.GetProperty("status").GetInt32()));
        }
        return new SloConfig(
            Map(r, "p99Ms", e => e.GetDouble()),
            Map(r, "minRequests", e => e.GetInt32()),
            r.TryGetProperty("maxErrorsOutsideWindows", out var m) ? m.GetInt32() : 0,
            r.TryGetProperty("windowGraceSeconds", out var g) ? g.GetDouble() : 1.0,
            Map(r, "recoveryMaxSeconds", e => e.GetDouble()),
            r.TryGetProperty("minAchievedFraction", out var f) ? f.GetDouble() : 0.95,
            retry,
            r.TryGetProperty("overload", out var o) && o.ValueKind == JsonValueKind.Object
                ? new OverloadSlo(o.GetProperty("window").GetString()!, Map(o, "servedP99Ms", e => e.GetDouble()))
                : null);
    }
}
