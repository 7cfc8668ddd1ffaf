using Heartbeat.ServiceDefaults.Machines;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Heartbeat.Ingest.Heartbeats;
using Heartbeat.Ingest.Machines;
using Heartbeat.Ingest.Pings;
using Heartbeat.ServiceDefaults;
using JasperFx.Events.Projections;

namespace Heartbeat.Ingest;

public sealed class IngestOptions
{
    /// <summary>Base of the heartbeat URL handed out at registration: the gateway's public address.</summary>
    [Required, Url] public string PublicUrl { get; set; } = "http://localhost:8080";

    /// <summary>Heartbeats committed in one transaction at most.</summary>
    [Range(1, 10_000)] public int MaxBatchSize { get; set; } = 1_000;

    /// <summary>Group-commit loops running at once; more overlap commits with request handling.</summary>
    [Range(1, 16)] public int Writers { get; set; } = 2;
}

public static class IngestExtensions
{
    public static IHostApplicationBuilder AddIngest(this IHostApplicationBuilder builder)
    {
        builder.RequireAdminKeys();
        // Data Protection key ring for probe private keys, shared with the prober (same application name and key directory).
        // Probe private keys: encrypted by ingest, decrypted by the prober, with the key ring shared in PostgreSQL.
        builder.AddHeartbeatDataProtection();
        builder.Services.AddOptions<IngestOptions>().BindConfiguration("Ingest").ValidateDataAnnotations().ValidateOnStart();
        builder.AddHeartbeatMarten("ingest", opts =>
        {
            opts.Projections.Add<MachineStateProjection>(ProjectionLifecycle.Inline);
            // Ping URLs find their machine by key digest or (with a ping API key) by name.
            opts.Schema.For<MachineState>().Duplicate(c => c.PingKeyHash).Duplicate(c => c.Name);
            opts.Schema.For<MachineEnrollment>();
        });
        builder.Services.AddHostedService<MachineStateBackfill>();
        builder.Services.AddSingleton<EnrollmentKeys>();
        builder.Services.AddMemoryCache();
        builder.Services.AddOptions<RateLimitOptions>().Configure<IConfiguration>(RateLimitOptions.Bind).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<HeartbeatRateLimits>();
        // The failed-authentication limit is per client address: behind the gateway that is the address the
        // gateway forwards in X-Forwarded-For. Only proxies on loopback are trusted by default; a gateway
        // elsewhere (containers) needs ASPNETCORE_FORWARDEDHEADERS_ENABLED=true or KnownNetworks configured.
        builder.Services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor);
        builder.Services.AddSingleton<MachineDirectory>();
        builder.Services.AddOptions<PingOptions>().Configure<IConfiguration>(PingOptions.Bind);
        builder.Services.AddSingleton<PingDirectory>();
        builder.Services.AddSingleton<PingIntake>();
        builder.Services.AddSingleton<HeartbeatWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HeartbeatWriter>());
        builder.Services.AddOptions<RetentionOptions>().Configure<IConfiguration>(RetentionOptions.Bind).ValidateOnStart();
        builder.Services.AddHostedService<HeartbeatRetention>();
        return builder;
    }
}
