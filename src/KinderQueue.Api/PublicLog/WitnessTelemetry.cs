using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using KinderQueue.Storage.Appending;

namespace KinderQueue.Api.PublicLog;

/// <summary>
/// Metrics of the witness submissions, on the service's meter (<see cref="LogTelemetry.Name"/>, exported
/// as configured in Hosting/Telemetry.cs): submissions by witness and outcome, and whether each
/// witness's circuit is open (alert when one stays open: checkpoints go uncosigned meanwhile).
/// </summary>
public static class WitnessTelemetry
{
    private static readonly Meter Meter = new(LogTelemetry.Name);
    private static readonly ConcurrentDictionary<WitnessClient, byte> Clients = new();

    /// <summary>Tag outcome: ok (cosigned and stored), refused (the witness said no: 4xx), failed (down, timed out, bad answer), circuit_open (not sent).</summary>
    public static readonly Counter<long> Submissions = Meter.CreateCounter<long>("kq.witness.submissions", "{submission}",
        "Checkpoint submissions to witnesses, by witness and outcome");

    private static readonly ObservableGauge<int> CircuitOpen = Meter.CreateObservableGauge("kq.witness.circuit_open",
        () => Clients.Keys.Select(c => new Measurement<int>(c.CircuitOpen ? 1 : 0, new KeyValuePair<string, object?>("witness", c.Name))),
        "{circuit}", "1 while a witness's circuit breaker is open or half-open (no submissions sent), else 0");

    internal static void Track(WitnessClient client) => Clients.TryAdd(client, 0);

    internal static void Untrack(WitnessClient client) => Clients.TryRemove(client, out _);

    internal static void Count(string witness, string outcome) =>
        Submissions.Add(1, new TagList { { "witness", witness }, { "outcome", outcome } });
}
