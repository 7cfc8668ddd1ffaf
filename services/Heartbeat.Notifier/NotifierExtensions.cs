using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Deliveries;
using Heartbeat.Notifier.Maintenance;
using Heartbeat.Notifier.Senders;
using Heartbeat.Notifier.Targets;
using Heartbeat.ServiceDefaults;
using Heartbeat.ServiceDefaults.Machines;
using MassTransit;

namespace Heartbeat.Notifier;

public static class NotifierExtensions
{
    /// <summary>
    /// The notifier's own wiring: channels (Marten documents, secrets encrypted with the shared key ring), the delivery
    /// tables, the transition consumers that fill them, the dispatcher that sends, and the guarded HTTP client.
    /// </summary>
    public static IHostApplicationBuilder AddNotifier(this IHostApplicationBuilder builder)
    {
        builder.RequireAdminKeys();
        builder.Services.AddOptions<NotifierOptions>().Configure<IConfiguration>(NotifierOptions.Bind).ValidateDataAnnotations().ValidateOnStart();
        builder.AddHeartbeatDataProtection();
        builder.AddHeartbeatMarten("notifier", opts =>
        {
            opts.Schema.For<Channel>().Duplicate(c => c.CreatedAt, notNull: true);
        });

        // Registered before MassTransit's hosted service: the tables exist before the first message is consumed.
        builder.Services.AddHostedService<DeliverySchema>();
        builder.Services.AddHostedService<FleetSchema>();
        builder.Services.AddSingleton<DispatchSignal>();
        builder.Services.AddSingleton<MaintenanceWindows>();
        builder.Services.AddSingleton<QuietLookup>();
        builder.Services.AddSingleton(FlappingOptions.Read(builder.Configuration));
        builder.Services.AddSingleton<FlappingEpisodes>();
        builder.Services.AddSingleton<RecordWarning>();
        builder.Services.AddSingleton<StormMerge>();
        builder.Services.AddSingleton<RecordTransition>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RecordTransition>());
        builder.AddHeartbeatMassTransit(x =>
        {
            x.AddConsumer<MachineWentOfflineConsumer, TransitionConsumerDefinition<MachineWentOfflineConsumer>>();
            x.AddConsumer<MachineWentOnlineConsumer, TransitionConsumerDefinition<MachineWentOnlineConsumer>>();
            x.AddConsumer<MachineReportedWarningConsumer, TransitionConsumerDefinition<MachineReportedWarningConsumer>>();
            x.AddConsumer<MachineWarningClearedConsumer, TransitionConsumerDefinition<MachineWarningClearedConsumer>>();
            x.AddConsumer<PlatformIncidentConsumer, PlatformIncidentConsumerDefinition>();
        });

        builder.Services.AddSingleton<ChannelSecrets>();
        builder.Services.AddSingleton<DeliveryRows>();
        builder.Services.AddSingleton<ChannelSender>();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddSingleton<TelegramSender>();
        builder.Services.AddSingleton<SlackSender>();
        builder.Services.AddSingleton<EmailSender>();
        builder.Services.AddSingleton(sp => TargetClient(builder.Configuration.GetValue<bool>("Notifier:AllowPrivateTargets")));
        builder.Services.AddHostedService<DeliveryDispatcher>();
        builder.Services.AddHostedService<DeliveryBacklog>();
        builder.Services.AddHostedService<MaintenanceEnd>();
        builder.Services.AddHostedService<Reminders>();
        builder.Services.AddHostedService<DependentOfflines>();
        builder.Services.AddHostedService<FlappingEnd>();
        builder.Services.AddHostedService<StormDigests>();
        return builder;
    }

    /// <summary>
    /// One client for every HTTP channel: connections only to addresses the guard allows (checked on the resolved
    /// addresses at connect time), no redirects (a redirect could lead inside), no logging of URLs (they hold tokens).
    /// Timeouts are per attempt (<see cref="ChannelSender"/>).
    /// </summary>
    private static HttpClient TargetClient(bool allowPrivate) => new(new SocketsHttpHandler
    {
        ConnectCallback = TargetGuard.ConnectCallback(allowPrivate),
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        MaxConnectionsPerServer = 32,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
