using MassTransit;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// The endpoint of each transition consumer: a queue of the notifier's own (notifier-machine-went-offline,
/// notifier-machine-went-online), on which every notifier instance competes and which no other service shares.
/// </summary>
public sealed class TransitionConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    public TransitionConsumerDefinition() => Endpoint(e =>
    {
        e.Name = "notifier-" + KebabCaseEndpointNameFormatter.Instance.Consumer<TConsumer>();
        e.PrefetchCount = DeliverTransition.ConcurrentTransitions;
        e.ConcurrentMessageLimit = DeliverTransition.ConcurrentTransitions;
    });

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer, IRegistrationContext context) =>
        endpoint.UseMessageRetry(DeliverTransition.ConfigureRetry);
}
