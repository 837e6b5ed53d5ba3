using KinderQueue.Storage.Appending;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace KinderQueue.Api.Hosting;

/// <summary>
/// Traces, metrics and logs through the OpenTelemetry hosting extension: the framework's, HttpClient's,
/// the runtime's and Npgsql's instrumentation plus our own source and meter (<see cref="LogTelemetry"/>),
/// exported over OTLP when an endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT). Without one nothing
/// is registered at all, so no listener samples an activity or aggregates a measurement.
/// </summary>
public static class Telemetry
{
    public const string EndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddKinderQueueTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrWhiteSpace(configuration[EndpointSetting])) return builder;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? "kinderqueue"))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource(LogTelemetry.Name))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                // Kestrel's and the rate limiter's meters come with the ASP.NET Core instrumentation today;
                // named here as well because admission control is read from them (deploy/CONFIGURATION.md).
                .AddMeter("Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting", LogTelemetry.Name,
                    Federal.PortalLinkState.MeterName))
            .WithLogging()
            // One exporter for all three signals; it reads OTEL_EXPORTER_OTLP_* from configuration.
            .UseOtlpExporter();
        return builder;
    }
}
