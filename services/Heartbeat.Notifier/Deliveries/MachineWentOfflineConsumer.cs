using Heartbeat.Contracts.Messages;
using MassTransit;

namespace Heartbeat.Notifier.Deliveries;

public sealed class MachineWentOfflineConsumer(RecordTransition record) : IConsumer<MachineWentOffline>
{
    public Task Consume(ConsumeContext<MachineWentOffline> context) => record.HandleAsync(context.Message);
}
