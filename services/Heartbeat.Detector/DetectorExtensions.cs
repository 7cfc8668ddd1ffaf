using Heartbeat.Detector.Badges;
using Heartbeat.Detector.Detection;
using Heartbeat.Detector.Publishing;
using Heartbeat.Detector.Status;
using Heartbeat.Detector.StatusPages;
using Heartbeat.Detector.Tracking;
using Heartbeat.ServiceDefaults;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Options;

namespace Heartbeat.Detector;

public static class DetectorExtensions
{
    public static IHostApplicationBuilder AddDetector(this IHostApplicationBuilder builder)
    {
        builder.RequireAdminKeys();
        builder.Services.AddOptions<DetectorOptions>().Configure<IConfiguration>(DetectorOptions.Bind).ValidateOnStart();
        builder.Services.AddSingleton(sp => new Fleet(sp.GetRequiredService<IOptions<DetectorOptions>>().Value.OfflineThreshold));

        builder.AddHeartbeatMarten("detector", opts =>
            {
                opts.Projections.Add<MachineStatusProjection>(ProjectionLifecycle.Async);
                opts.Schema.For<TrackedMachine>();
                opts.Schema.For<StatusPage>();
                opts.Schema.For<Badge>();
                opts.Storage.ExtendedSchemaObjects.Add(LastSeenTable.Definition(opts.DatabaseSchemaName));
            })
            .AddSubscriptionWithServices<FleetTracker>(ServiceLifetime.Singleton)
            .AddSubscriptionWithServices<TransitionPublisher>(ServiceLifetime.Singleton)
            .AddAsyncDaemon(DaemonMode.Solo);

        builder.AddHeartbeatMassTransit(_ => { });
        builder.Services.AddHostedService<FleetLoader>();
        builder.Services.AddHostedService<DeadlineWatcher>();
        builder.Services.AddOptions<StatusOptions>().Configure<IConfiguration>(StatusOptions.Bind).ValidateOnStart();
        builder.Services.AddSingleton<MachineBoard>();
        builder.Services.AddMemoryCache();
        builder.Services.AddHostedService<MachineBoardRefresher>();
        builder.Services.AddHealthChecks().AddCheck<DetectionHealthCheck>("detection", tags: ["ready"]);
        return builder;
    }
}
