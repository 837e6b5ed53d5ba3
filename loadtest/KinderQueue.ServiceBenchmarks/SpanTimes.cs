using System.Collections.Concurrent;
using System.Diagnostics;

namespace KinderQueue.ServiceBenchmarks;

/// <summary>
/// --trace: where a batch's time goes. Listens to the writer's own spans (log.append, one per
/// group-commit batch) and to Npgsql's (one per command), and sums their durations by name.
/// </summary>
public sealed class SpanTimes : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentDictionary<string, (long Count, double Ms)> _totals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _samples = new(StringComparer.Ordinal);

    public SpanTimes()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "KinderQueue" or "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                var name = activity.Source.Name == "Npgsql"
                    ? "npgsql: " + Shorten(activity.GetTagItem("db.query.text") as string ?? activity.GetTagItem("db.statement") as string ?? activity.DisplayName)
                    : activity.DisplayName;
                _totals.AddOrUpdate(name, (1, activity.Duration.TotalMilliseconds), (_, t) => (t.Count + 1, t.Ms + activity.Duration.TotalMilliseconds));
                _samples.GetOrAdd(name, _ => []).Add(activity.Duration.TotalMilliseconds);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Reset()
    {
        _totals.Clear();
        _samples.Clear();
    }

    public void Print(TextWriter to)
    {
        foreach (var (name, (count, ms)) in _totals.OrderByDescending(t => t.Value.Ms))
        {
            var sorted = _samples.TryGetValue(name, out var bag) ? bag.Order().ToList() : [];
            to.WriteLine($"trace: {count,8} x {ms / count,8:F3} ms = {ms,9:F0} ms  p50 {Percentiles.Of(sorted, 50):F3} p90 {Percentiles.Of(sorted, 90):F3} p99 {Percentiles.Of(sorted, 99):F3}  {name.ReplaceLineEndings(" ")}");
        }
    }

    private static string Shorten(string sql) => sql.Length > 70 ? sql[..70] : sql;

    public void Dispose() => _listener.Dispose();
}
