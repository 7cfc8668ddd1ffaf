using Heartbeat.Contracts.Messages;
using MassTransit;

namespace Heartbeat.Notifier.Deliveries;

public sealed class MachineWentOnlineConsumer(DeliverTransition deliver) : IConsumer<MachineWentOnline>
{
    public Task Consume(ConsumeContext<MachineWentOnline> context) =>
        deliver.HandleAsync(Transition.Of(context.Message), context.GetRetryAttempt(), context.CancellationToken);
}

public sealed class MachineWentOnlineConsumerDefinition : ConsumerDefinition<MachineWentOnlineConsumer>
{
    // The notifier's own queue: every notifier instance competes on it, and no other service shares it.
    public MachineWentOnlineConsumerDefinition() => Endpoint(e =>
    {
        e.Name = "notifier-machine-went-online";
        e.PrefetchCount = DeliverTransition.ConcurrentTransitions;
        e.ConcurrentMessageLimit = DeliverTransition.ConcurrentTransitions;
    });

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<MachineWentOnlineConsumer> consumer, IRegistrationContext context) =>
        endpoint.UseMessageRetry(DeliverTransition.ConfigureRetry);
}
