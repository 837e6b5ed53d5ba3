using System.Diagnostics;
using KinderQueue.Api.Hosting;
using KinderQueue.Api.Tests.Support;
using KinderQueue.Core.Events;
using KinderQueue.Storage.Appending;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace KinderQueue.Api.Tests;

/// <summary>
/// Our own traces and metrics go through the service's OpenTelemetry pipeline (the in-memory exporter is
/// added next to the OTLP one the service configures), an OTLP exporter pointed at an address where nobody
/// listens (127.0.0.1, discard port) neither breaks nor slows the service, and without an endpoint
/// OpenTelemetry is not set up at all.
/// </summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("kq-otel-").FullName;

    [Fact]
    public async Task Append_WithOtlpEndpointConfigured_ExportsOwnActivityAndMetric()
    {
        var activities = new List<Activity>();
        var metrics = new List<MetricSnapshot>();
        await using var factory = new KinderQueueFactory(_dataDir, null).WithWebHostBuilder(b => b
            .UseSetting(Telemetry.EndpointSetting, "http://127.0.0.1:9")
            .ConfigureTestServices(s => s
                .ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(activities))
                .ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics))));
        using var client = factory.CreateClient();

        var log = factory.Services.GetRequiredService<LiveLog>();
        var result = await log.ExecuteAsync(new DelegateCommand("system:test", null,
            (_, _) => CommandDecision.Append(new DistrictRegistered("otel-district", "Телеметрия"), _ => [])));

        result.Accepted.Should().BeTrue();
        (await client.GetAsync(new Uri("/readyz", UriKind.Relative))).IsSuccessStatusCode.Should().BeTrue();
        // The results are false: the OTLP exporter beside ours cannot reach its collector, which is the point.
        factory.Services.GetRequiredService<TracerProvider>().ForceFlush();
        factory.Services.GetRequiredService<MeterProvider>().ForceFlush();
        // Copies: the exporters add on the threads where activities stop and readers collect.
        activities.ToArray().Where(a => a.Source.Name == LogTelemetry.Name).Select(a => a.OperationName).Should().Contain("log.append");
        var appends = metrics.ToArray().Where(m => m.MeterName == LogTelemetry.Name && m.Name == "kq.log.appends").ToList();
        appends.Should().NotBeEmpty();
        appends[^1].MetricPoints.Sum(p => p.GetSumLong()).Should().BeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task Start_WithoutOtlpEndpoint_SetsUpNoTelemetry()
    {
        await using var factory = new KinderQueueFactory(_dataDir, null)
            .WithWebHostBuilder(b => b.UseSetting(Telemetry.EndpointSetting, ""));
        using var client = factory.CreateClient();

        (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).IsSuccessStatusCode.Should().BeTrue();
        factory.Services.GetService<TracerProvider>().Should().BeNull();
        factory.Services.GetService<MeterProvider>().Should().BeNull();
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
