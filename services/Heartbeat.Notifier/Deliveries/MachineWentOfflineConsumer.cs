using Heartbeat.Contracts.Messages;
using MassTransit;

namespace Heartbeat.Notifier.Deliveries;

public sealed class MachineWentOfflineConsumer(DeliverTransition deliver) : IConsumer<MachineWentOffline>
{
    public Task Consume(ConsumeContext<MachineWentOffline> context) =>
        deliver.HandleAsync(Transition.Of(context.Message), context.GetRetryAttempt(), context.CancellationToken);
}

public sealed class MachineWentOfflineConsumerDefinition : ConsumerDefinition<MachineWentOfflineConsumer>
{
    // The notifier's own queue: every notifier instance competes on it, and no other service shares it.
    public MachineWentOfflineConsumerDefinition() => Endpoint(e =>
    {
        e.Name = "notifier-machine-went-offline";
        e.PrefetchCount = DeliverTransition.ConcurrentTransitions;
        e.ConcurrentMessageLimit = DeliverTransition.ConcurrentTransitions;
    });

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<MachineWentOfflineConsumer> consumer, IRegistrationContext context) =>
        endpoint.UseMessageRetry(DeliverTransition.ConfigureRetry);
}
