using Heartbeat.Contracts.Messages;
using MassTransit;

namespace Heartbeat.Notifier.Deliveries;

public sealed class MachineWentOfflineConsumer(DeliverTransition deliver) : IConsumer<MachineWentOffline>
{
    public Task Consume(ConsumeContext<MachineWentOffline> context) =>
        deliver.HandleAsync(Transition.Of(context.Message), context.GetRetryAttempt(), context.CancellationToken);
}
