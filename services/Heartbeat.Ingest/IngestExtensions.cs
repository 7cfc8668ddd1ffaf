using System.ComponentModel.DataAnnotations;
using Heartbeat.Ingest.Heartbeats;
using Heartbeat.Ingest.Machines;
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
        builder.Services.AddOptions<IngestOptions>().BindConfiguration("Ingest").ValidateDataAnnotations().ValidateOnStart();
        builder.AddHeartbeatMarten("ingest", opts =>
        {
            opts.Projections.Add<MachineCredentialProjection>(ProjectionLifecycle.Inline);
            opts.Schema.For<MachineEnrollment>();
        });
        builder.Services.AddSingleton<EnrollmentKeys>();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<MachineDirectory>();
        builder.Services.AddSingleton<HeartbeatWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HeartbeatWriter>());
        builder.Services.AddOptions<RetentionOptions>().Configure<IConfiguration>(RetentionOptions.Bind).ValidateOnStart();
        builder.Services.AddHostedService<HeartbeatRetention>();
        return builder;
    }
}
