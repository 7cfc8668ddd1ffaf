using Heartbeat.ServiceDefaults.Machines;
using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Canary;
using Heartbeat.Detector.Badges;
using Heartbeat.Detector.Detection;
using Heartbeat.Detector.Leadership;
using Heartbeat.Detector.Platform;
using Heartbeat.Detector.Publishing;
using Heartbeat.Detector.Status;
using Heartbeat.Detector.StatusPages;
using Heartbeat.Detector.Tracking;
using Heartbeat.ServiceDefaults;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Options;

namespace Heartbeat.Detector;

public static class DetectorExtensions
{
    public static IHostApplicationBuilder AddDetector(this IHostApplicationBuilder builder)
    {
        builder.RequireAdminKeys();
        builder.Services.AddOptions<DetectorOptions>().Configure<IConfiguration>(DetectorOptions.Bind)
            .Validate(o => o.Problem() is null, "Detector options are invalid: see DetectorOptions.Problem (durations positive, CanaryTimeout > CanaryInterval, http(s) URLs).")
            .ValidateOnStart();
        // The notifier's flapping rule, so GET /api/machines/{id} says "flapping" exactly when notifications do.
        builder.Services.AddSingleton(FlappingOptions.Read(builder.Configuration));
        builder.Services.AddSingleton(sp => new Fleet(sp.GetRequiredService<IOptions<DetectorOptions>>().Value.OfflineThreshold));

        // No AddAsyncDaemon: the daemon runs only in the instance that holds the leader lock, started and stopped by
        // its LeaderTerm (Marten's own HotCold election cannot work here, see README).
        builder.AddHeartbeatMarten("detector", opts =>
            {
                opts.Projections.Add<MachineStateProjection>(ProjectionLifecycle.Async);
                opts.Schema.For<TrackedMachine>();
                opts.Schema.For<CanaryMachine>();
                opts.Events.AddEventType<IntakeInterrupted>();
                opts.Events.AddEventType<IntakeRestored>();
                opts.Schema.For<StatusPage>();
                opts.Schema.For<Badge>();
                opts.Storage.ExtendedSchemaObjects.Add(LastSeenTable.Definition(opts.DatabaseSchemaName));
                opts.Storage.ExtendedSchemaObjects.Add(RecentHeartbeats.Definition(opts.DatabaseSchemaName));
            })
            .AddSubscriptionWithServices<FleetTracker>(ServiceLifetime.Singleton)
            .AddSubscriptionWithServices<TransitionPublisher>(ServiceLifetime.Singleton)
            .AddSubscriptionWithServices<PlatformIncidentPublisher>(ServiceLifetime.Singleton);

        builder.AddHeartbeatMassTransit(_ => { });
        builder.Services.AddSingleton<Leadership.Leadership>();
        builder.Services.AddSingleton<CanaryEvidence>();
        builder.Services.AddSingleton<IntakeMonitor>();
        builder.Services.AddSingleton<LateEpisodeRecorder>();
        builder.Services.AddSingleton<FleetLoader>();
        builder.Services.AddSingleton<StandbyFollower>();
        builder.Services.AddSingleton<ReadAhead>();
        builder.Services.AddSingleton<CanaryReaper>();
        builder.Services.AddSingleton<DeadlineWatcher>();
        builder.Services.AddSingleton<DetectionHealthCheck>();
        builder.Services.AddSingleton<Watchdog>();
        builder.Services.AddSingleton<LeaderTerm>();
        builder.Services.AddHostedService<CanarySender>();
        // Registered last, so stopped first: a graceful stop hands the lock over before anything else winds down.
        builder.Services.AddHostedService<LeaderElection>();
        builder.Services.AddOptions<StatusOptions>().Configure<IConfiguration>(StatusOptions.Bind).ValidateOnStart();
        builder.Services.AddSingleton<MachineBoard>();
        builder.Services.AddMemoryCache();
        builder.Services.AddHostedService<MachineBoardRefresher>();
        builder.Services.AddHostedService<FleetMetrics>();
        builder.Services.AddHealthChecks().AddCheck<DetectionHealthCheck>("detection", tags: ["ready"]);
        return builder;
    }
}
