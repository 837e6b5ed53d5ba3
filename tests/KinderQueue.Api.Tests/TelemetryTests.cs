using System.Diagnostics;
using System.Diagnostics.Metrics;
using KinderQueue.Api.Hosting;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Core.Events;
using KinderQueue.Storage.Appending;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace KinderQueue.Api.Tests;

/// <summary>
/// Our own traces and metrics are emitted, and an OTLP exporter pointed at an address where
/// nobody listens (127.0.0.1, discard port) neither breaks nor slows the service.
/// </summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("kq-otel-").FullName;

    [Fact]
    public async Task Append_WithOtlpExporterConfigured_EmitsOwnActivityAndMetrics()
    {
        var activities = new List<string>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == LogTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = a => { lock (activities) activities.Add(a.OperationName); },
        };
        ActivitySource.AddActivityListener(activityListener);
        long appended = 0;
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == LogTelemetry.Name && instrument.Name == "kq.log.appends") l.EnableMeasurementEvents(instrument);
            },
        };
        meterListener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref appended, value));
        meterListener.Start();

        await using var factory = new KinderQueueFactory(_dataDir, null)
            .WithWebHostBuilder(b => b.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"));
        using var client = factory.CreateClient();
        factory.Services.GetRequiredService<Telemetry>().Enabled.Should().BeTrue();

        var log = factory.Services.GetRequiredService<LiveLog>();
        var result = await log.ExecuteAsync(new DelegateCommand("system:test", null,
            (_, _) => CommandDecision.Append(new DistrictRegistered("otel-district", "Телеметрия"), _ => [])));

        result.Accepted.Should().BeTrue();
        (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).IsSuccessStatusCode.Should().BeTrue();
        lock (activities) activities.Should().Contain("log.append");
        Interlocked.Read(ref appended).Should().BeGreaterThanOrEqualTo(1);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a pool: the OS temp cleaner takes it.
        }
    }
}
