using Heartbeat.Contracts.Messages;
using MassTransit;

namespace Heartbeat.Notifier.Deliveries;

public sealed class MachineWentOnlineConsumer(DeliverTransition deliver) : IConsumer<MachineWentOnline>
{
    public Task Consume(ConsumeContext<MachineWentOnline> context) =>
        deliver.HandleAsync(Transition.Of(context.Message), context.GetRetryAttempt(), context.CancellationToken);
}
