using KinderQueue.Storage.Appending;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace KinderQueue.Api.Hosting;

/// <summary>
/// OpenTelemetry through the SDK builders (the hosting extension package is not available):
/// the framework's and Npgsql's own sources and meters plus ours, exported over OTLP when an
/// endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT), otherwise not collected at all.
/// </summary>
public sealed class Telemetry : IDisposable
{
    private static readonly string[] Sources = ["Microsoft.AspNetCore", "System.Net.Http", "Npgsql", LogTelemetry.Name];
    private static readonly string[] Meters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting", "Npgsql", LogTelemetry.Name];

    private readonly TracerProvider? _tracer;
    private readonly MeterProvider? _meter;

    public Telemetry(IConfiguration configuration)
    {
        var endpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint)) return;
        var resource = ResourceBuilder.CreateDefault().AddService(configuration["OTEL_SERVICE_NAME"] ?? "kinderqueue");
        _tracer = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(Sources).AddOtlpExporter().Build();
        _meter = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(Meters).AddOtlpExporter().Build();
    }

    public bool Enabled => _tracer is not null;

    public void Dispose()
    {
        _tracer?.Dispose();
        _meter?.Dispose();
    }
}
