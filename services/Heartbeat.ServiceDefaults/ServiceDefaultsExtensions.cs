using Heartbeat.Contracts.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Heartbeat.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>OpenTelemetry, health checks, problem details, snake_case JSON, keys and the clock.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.AddOpenTelemetry();

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.ConfigureHttpJsonOptions(o => HeartbeatJson.Configure(o.SerializerOptions));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddApiKeys(builder.Configuration);
        builder.Services.AddHeartbeatOpenApi(); // each service maps it with app.MapOpenApi()
        return builder;
    }

    private static void AddOpenTelemetry(this IHostApplicationBuilder builder)
    {
        // Metrics are always on: every service answers /metrics in Prometheus format, so a scripts/up user can
        // point an existing Prometheus at it; with a collector they are also pushed over OTLP.
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Environment.ApplicationName))
            .WithMetrics(m =>
            {
                m.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter("MassTransit", "Marten", HeartbeatTelemetry.SourceName)
                    .AddPrometheusExporter();
                // With tracing on, histograms keep exemplars of the traces they measured, so Grafana links a slow
                // detection or delivery to its trace in Tempo (the SDK keeps none unless told).
                if (otlp) m.SetExemplarFilter(ExemplarFilterType.TraceBased);
            });

        // Without a collector, spans would be recorded only to be dropped, which costs measurable CPU per
        // heartbeat: then tracing stays off.
        if (!otlp) return;
        telemetry.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = c => !c.Request.Path.StartsWithSegments("/health") && !c.Request.Path.StartsWithSegments(MetricsPath);
                    o.EnrichWithHttpRequest = (activity, request) => activity.SetTag("url.path", SecretPaths.Redact(request.Path.Value ?? ""));
                })
                .AddHttpClientInstrumentation(o => o.EnrichWithHttpRequestMessage = (activity, request) =>
                {
                    if (request.RequestUri is { } uri) activity.SetTag("url.full", SecretPaths.Redact(uri));
                })
                .AddNpgsql()
                .AddSource("MassTransit", "Marten", HeartbeatTelemetry.SourceName))
            .WithLogging()
            // One OTLP exporter for traces, metrics and logs (the collector sends logs on to Loki).
            .UseOtlpExporter();
    }

    public const string MetricsPath = "/metrics";

    /// <summary>/health/live answers while the process runs; /health/ready only when its PostgreSQL and RabbitMQ answer.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live") });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync });
        // Operational data, not for the public: only callers on this host, unless Metrics:AllowRemote is set
        // (a Prometheus on another host scraping the internal service ports).
        var allowRemote = app.Configuration.GetValue<bool>("Metrics:AllowRemote");
        app.MapPrometheusScrapingEndpoint(MetricsPath)
            .AddEndpointFilter(async (context, next) =>
                allowRemote || context.HttpContext.Connection.RemoteIpAddress is { } caller && System.Net.IPAddress.IsLoopback(caller)
                    ? await next(context)
                    : Results.NotFound());
        return app;
    }
}
