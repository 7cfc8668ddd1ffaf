using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Deliveries;
using Heartbeat.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Http.Resilience;

namespace Heartbeat.Notifier;

public static class NotifierExtensions
{
    /// <summary>The notifier's own wiring: channel and delivery documents, the transition consumers and the webhook client.</summary>
    public static IHostApplicationBuilder AddNotifier(this IHostApplicationBuilder builder)
    {
        builder.RequireAdminKeys();
        builder.AddHeartbeatMarten("notifier", opts =>
        {
            opts.Schema.For<Channel>();
            opts.Schema.For<Delivery>()
                .Duplicate(d => d.MachineId)
                .Duplicate(d => d.CreatedAt)
                .UseOptimisticConcurrency(true)
                .Metadata(m => m.Version.MapTo(d => d.Version));
        });

        builder.AddHeartbeatMassTransit(x =>
        {
            x.AddConsumer<MachineWentOfflineConsumer, TransitionConsumerDefinition<MachineWentOfflineConsumer>>();
            x.AddConsumer<MachineWentOnlineConsumer, TransitionConsumerDefinition<MachineWentOnlineConsumer>>();
        });

        builder.Services.AddScoped<DeliverTransition>();
        // The resilience pipeline below owns the timeouts; the client's own only backs it up.
        builder.Services.AddHttpClient<WebhookSender>(client => client.Timeout = TimeSpan.FromMinutes(1))
            // Webhook URLs may carry credentials in their path (Slack-style hooks): log our own lines instead.
            .RemoveAllLoggers()
            .AddStandardResilienceHandler(o =>
            {
                o.AttemptTimeout.Timeout = WebhookSender.AttemptTimeout;
                o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(45);
                o.Retry.MaxRetryAttempts = 3;
                o.Retry.Delay = TimeSpan.FromSeconds(1);
            })
            // One pipeline (and circuit breaker) per channel: a failing receiver must not pause the others,
            // even on the same host. Keyed by channel id, so pipeline names in logs carry no URL.
            .SelectPipelineBy(_ => request => WebhookSender.ChannelOf(request));

        return builder;
    }
}
