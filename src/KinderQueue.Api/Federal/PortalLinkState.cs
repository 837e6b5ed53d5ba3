using System.Diagnostics.Metrics;
using NodaTime;
using Polly.CircuitBreaker;

namespace KinderQueue.Api.Federal;

/// <summary>
/// What this instance knows of its link to the federal portal: whether the last send worked, since
/// when it has been failing, the circuit's state and the backlog of owed updates. Read by the
/// public status endpoint and the dashboard (only these: no application, no id) and exported as
/// metrics (meter <see cref="MeterName"/>).
/// </summary>
public sealed class PortalLinkState : IDisposable
{
    public const string MeterName = "KinderQueue.FederalPortal";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _rejected;
    private readonly Lock _lock = new();
    private Instant? _failingSince;
    private Instant? _lastSuccess;
    private long _backlog;
    private CircuitState _circuit = CircuitState.Closed;

    public PortalLinkState(bool configured)
    {
        Configured = configured;
        _delivered = _meter.CreateCounter<long>("kq.federal.delivered", "{update}", "Status updates the portal confirmed.");
        _failures = _meter.CreateCounter<long>("kq.federal.send_failures", "{attempt}", "Sends to the portal that failed (error, timeout, garbage, open circuit).");
        _rejected = _meter.CreateCounter<long>("kq.federal.rejected", "{update}", "Status updates the portal refused for good (4xx).");
        _meter.CreateObservableGauge("kq.federal.backlog", () => Interlocked.Read(ref _backlog), "{update}", "Status updates owed to the portal.");
        _meter.CreateObservableGauge("kq.federal.circuit_state", () => (int)Circuit, "{state}",
            "The portal client's circuit: 0 closed, 1 open, 2 half-open, 3 isolated.");
    }

    /// <summary>False when no portal address is set: updates wait in the outbox.</summary>
    public bool Configured { get; }

    public CircuitState Circuit
    {
        get { lock (_lock) return _circuit; }
        set { lock (_lock) _circuit = value; }
    }

    public long Backlog
    {
        get => Interlocked.Read(ref _backlog);
        set => Interlocked.Exchange(ref _backlog, value);
    }

    public void Delivered(Instant at)
    {
        _delivered.Add(1);
        lock (_lock)
        {
            _lastSuccess = at;
            _failingSince = null;
        }
    }

    public void Rejected(Instant at)
    {
        _rejected.Add(1);
        // The portal answered: the link works, it just refused this one.
        Delivered(at);
    }

    public void Failed(Instant at)
    {
        _failures.Add(1);
        lock (_lock) _failingSince ??= at;
    }

    /// <summary>The public picture: up, down since when, or not configured; and the backlog.</summary>
    public PortalLinkSnapshot Snapshot()
    {
        lock (_lock)
        {
            var state = !Configured ? "not-configured" : _failingSince is not null || _circuit != CircuitState.Closed ? "down" : "up";
            return new PortalLinkSnapshot(state, state == "down" ? _failingSince : null, _lastSuccess, Backlog);
        }
    }

    public void Dispose() => _meter.Dispose();
}

/// <summary>The link's state as published: no application or portal id in it.</summary>
public sealed record PortalLinkSnapshot(string State, Instant? DownSince, Instant? LastSuccess, long Backlog);
