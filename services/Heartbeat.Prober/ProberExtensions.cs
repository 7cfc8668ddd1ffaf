using Heartbeat.Prober.Probing;
using Heartbeat.Prober.Recording;
using Heartbeat.Prober.Scheduling;
using Heartbeat.Prober.Targets;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.AspNetCore.DataProtection;

namespace Heartbeat.Prober;

public static class ProberExtensions
{
    public static IHostApplicationBuilder AddProber(this IHostApplicationBuilder builder)
    {
        // Data Protection key ring for probe private keys, shared with ingest (same application name and key directory).
        // Probe private keys: encrypted by ingest, decrypted by the prober, with the key ring shared in PostgreSQL.
        builder.AddHeartbeatDataProtection();

        builder.Services.AddOptions<ProberOptions>().Configure<IConfiguration>(ProberOptions.Bind).ValidateDataAnnotations().ValidateOnStart();
        // No async daemon registered here: ProberLeadership starts one only while it holds the prober lock.
        builder.AddHeartbeatMarten("prober", opts => opts.Schema.For<ProbeTarget>())
            .AddSubscriptionWithServices<ProbeTargetFollower>(ServiceLifetime.Singleton);

        builder.Services.AddSingleton<ProbeSchedule>();
        builder.Services.AddSingleton<ProbeRecorder>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProbeRecorder>());
        builder.Services.AddSingleton<Probes>();
        builder.Services.AddSingleton<ProbeRunner>();
        builder.Services.AddSingleton<ProberLeadership>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProberLeadership>());
        builder.Services.AddHealthChecks().AddCheck<ProberHealthCheck>("probing", tags: ["ready"]);
        return builder;
    }
}
